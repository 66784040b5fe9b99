// The waiting and ownership model across real processes on one SQLite file: a resume of a parent
// through the CLI reaches its child's pause; a young execution is owned from its first commit (a
// second `flux start`, `flux recover --stale-after 0` run nothing); SIGTERM on `flux start` lets the
// running step commit, answers the client, and a restart carries on at once; a parent and its child
// left running by a killed process are recovered by one `flux recover`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { flux, stdoutJson, userProject } from "./cli-support.js";
import { startFlux } from "./support/flux-server.js";
import { spawn } from "node:child_process";
import { fluxBin } from "./cli-support.js";

/** A workflow file whose steps record each run in `runs` and can wait at a gate (a file) in the project. */
const workflows = `
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { task, workflow } from "flux-ts";

const here = process.cwd();
async function gate(name) {
  writeFileSync(\`\${here}/arrived-\${name}\`, "");
  while (!existsSync(\`\${here}/open-\${name}\`)) await new Promise((resolve) => setTimeout(resolve, 10));
}
export const step = task("step", async (name, gated) => {
  appendFileSync(\`\${here}/runs\`, name + "\\n");
  if (gated) await gate(name);
  return name;
});
export const approval = workflow("approval", async (ctx) => ctx.pause("approve"));
export const purchase = workflow("purchase", async (ctx) => {
  const answer = await ctx.call(approval, ctx.input);
  return ctx.run(step, \`charge after \${answer}\`, false);
});
export const gated = workflow("gated", async (ctx) => {
  await ctx.run(step, "one", true);
  await ctx.run(step, "two", false);
  return "done";
});
export const young = workflow("young", async (ctx) => {
  await ctx.run(step, "first", false);
  await ctx.run(step, "second", true);
  return "done";
});
export const child = workflow("child", async (ctx) => ctx.run(step, "in-child", true));
export const parent = workflow("parent", async (ctx) => {
  await ctx.run(step, "before", false);
  const fromChild = await ctx.call(child, null);
  return ctx.run(step, \`after \${fromChild}\`, false);
});
`;

const runsIn = (dir: string) => (existsSync(join(dir, "runs")) ? readFileSync(join(dir, "runs"), "utf8").split("\n").filter(Boolean) : []);
const open = (dir: string, name: string) => writeFileSync(join(dir, `open-${name}`), "");
const arrived = (dir: string, name: string) => existsSync(join(dir, `arrived-${name}`));

async function summary(dir: string, id: string) {
  const store = await openSqliteStore(join(dir, ".flux", "flux.db"));
  try {
    return await store.get(id);
  } finally {
    await store.close();
  }
}

describe("across processes on one SQLite file", () => {
  it("flux exec --resume-with on a parent reaches its child's pause; a run by id, a recover, touch nothing", async () => {
    const dir = userProject({ "flows.mjs": workflows });
    const first = await flux(["exec", "flows.mjs", "purchase", '"order-1"'], dir);
    expect(first.code, first.stderr).toBe(3);
    const id = stdoutJson<{ execution_id: string }>(first).execution_id;
    const again = await flux(["exec", "flows.mjs", "purchase", "--execution-id", id], dir);
    expect(again.code, again.stderr).toBe(3);
    expect(stdoutJson(await flux(["recover", "flows.mjs", "--stale-after", "0"], dir))).toEqual({ recovered: [], skipped: [] });
    expect(runsIn(dir)).toEqual([]);
    expect(await summary(dir, `${id}.1`)).toMatchObject({ state: "paused" });
    const resumed = await flux(["exec", "flows.mjs", "purchase", "--execution-id", id, "--resume-with", '"yes"'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(stdoutJson(resumed)).toMatchObject({ state: "succeeded", output: "charge after yes" });
    expect(runsIn(dir)).toEqual(["charge after yes"]);
  });

  it("a young execution is owned from its first commit: a second server, flux exec and flux recover run nothing", async () => {
    const dir = userProject({ "flows.mjs": workflows });
    const a = await startFlux("flows.mjs", dir);
    const b = await startFlux("flows.mjs", dir);
    // Started without an id: the store first sees it with its first step, while the second runs.
    const answer = fetch(`${a.url}/young`, { method: "POST" });
    await expect.poll(() => arrived(dir, "second"), { timeout: 10_000 }).toBe(true);
    const store = await openSqliteStore(join(dir, ".flux", "flux.db"));
    const [listed] = (await store.list()).executions;
    await store.close();
    const id = listed!.executionId;
    expect(listed?.lease).toBeDefined();
    const second = await fetch(`${b.url}/young/${id}`, { method: "POST" });
    expect(second.status).toBe(409);
    const exec = await flux(["exec", "flows.mjs", "young", "--execution-id", id], dir);
    expect(exec.code, exec.stdout).toBe(1);
    expect(exec.stderr).toContain("is being run by another runner");
    const recovered = stdoutJson<{ recovered: unknown[]; skipped: { reason: string }[] }>(await flux(["recover", "flows.mjs", "--stale-after", "0"], dir));
    expect(recovered.recovered).toEqual([]);
    expect(recovered.skipped[0]?.reason).toContain("is being run by another runner");
    expect(runsIn(dir)).toEqual(["first", "second"]);
    open(dir, "second");
    expect(((await (await answer).json()) as { state: string }).state).toBe("succeeded");
    expect(runsIn(dir)).toEqual(["first", "second"]);
    for (const server of [a, b]) server.child.kill("SIGTERM");
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
  }, 60_000);

  it("SIGTERM lets the running step commit, answers the client 503 with the execution id, and a restart carries on at once", async () => {
    const dir = userProject({ "flows.mjs": workflows });
    const server = await startFlux("flows.mjs", dir, ["--grace", "20000"]);
    const answer = fetch(`${server.url}/gated`, { method: "POST" });
    await expect.poll(() => arrived(dir, "one"), { timeout: 10_000 }).toBe(true);
    server.child.kill("SIGTERM");
    await expect.poll(() => server.output(), { timeout: 10_000 }).toContain("flux: stopping");
    open(dir, "one");
    const res = await answer;
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; execution_id: string } };
    expect(body.error.code).toBe("SHUTTING_DOWN");
    expect((await server.exited).code).toBe(0);
    expect(server.output()).toContain("flux: stopped");
    expect(server.output()).not.toContain("closed");
    const id = body.error.execution_id;
    // The step's completion was committed, the lease given up: a restart takes it at once.
    const stopped = await summary(dir, id);
    expect(stopped).toMatchObject({ state: "running", events: 3 }); // started, step one started and completed
    expect(stopped?.lease?.expiresAt).toBeLessThanOrEqual(Date.now());
    const restarted = await startFlux("flows.mjs", dir);
    await expect.poll(async () => (await summary(dir, id))?.state, { timeout: 10_000 }).toBe("succeeded");
    expect(runsIn(dir)).toEqual(["one", "two"]);
    restarted.child.kill("SIGTERM");
    expect((await restarted.exited).code).toBe(0);
  }, 60_000);

  it("a parent and its child left running by a killed process are recovered by one flux recover", async () => {
    const dir = userProject({ "flows.mjs": workflows });
    const env = { ...process.env, FLUX_LEASE_TTL_MS: "300" };
    const killed = spawn(process.execPath, [fluxBin, "exec", "flows.mjs", "parent", "--execution-id", "rp"], { cwd: dir, env, stdio: "ignore" });
    try {
      await expect.poll(() => arrived(dir, "in-child"), { timeout: 10_000 }).toBe(true);
    } finally {
      killed.kill("SIGKILL");
    }
    await new Promise((resolve) => killed.once("exit", resolve));
    open(dir, "in-child");
    // Past the lease's TTL (300 ms), with no renewal from the dead process.
    await expect.poll(async () => ((await summary(dir, "rp.2"))?.lease?.expiresAt ?? 0) < Date.now(), { timeout: 10_000 }).toBe(true);
    const report = stdoutJson<{ recovered: { execution_id: string; state: string }[] }>(await flux(["recover", "flows.mjs", "--stale-after", "0"], dir, { FLUX_LEASE_TTL_MS: "300" }));
    expect(report.recovered.map((r) => `${r.execution_id}:${r.state}`).sort()).toEqual(["rp.2:succeeded", "rp:succeeded"]);
    // "before" was recorded: it never runs again; the child's step was in flight: it runs once more.
    expect(runsIn(dir)).toEqual(["before", "in-child", "in-child", "after in-child"]);
  }, 60_000);
});
