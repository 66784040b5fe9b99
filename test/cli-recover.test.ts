// `flux recover PATH` and `flux start --recover`: executions left running in .flux/flux.db by a
// stopped process are replayed to their end; recent ones, and those of workflows not under PATH,
// are skipped with the reason.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../adapters/sqlite/index.js";
import { encodeValue } from "../src/serialization.js";
import { flux, repo, stdoutJson, userProject } from "./cli-support.js";
import { startFlux } from "./support/flux-server.js";

/** Writes an execution of `workflow` whose process stopped inside its first step, `ageMs` ago. */
async function leftRunning(dir: string, id: string, workflow: string, input: unknown, ageMs: number): Promise<void> {
  const store = new SqliteStore(join(dir, ".flux", "flux.db"));
  const at = Date.now() - ageMs;
  const event = (n: number, type: string, sourceId: string, name: string, value: unknown) => ({ id: n, type, sourceId, name, value: encodeValue(value), time: at + n });
  await store.commit(id, [event(0, "WORKFLOW_STARTED", id, workflow, input), event(1, "TASK_STARTED", "1", "say_hello", [input])], { expectedSeq: 0 });
  await store.close();
}

interface Report {
  recovered: { execution_id: string; workflow: string; state: string }[];
  skipped: { execution_id: string; reason: string }[];
}

describe("flux recover", () => {
  const helloFile = join(repo, "examples", "hello_world.ts");

  it("replays stale running executions of the workflows under PATH and says why it skipped the others", async () => {
    const dir = userProject();
    await leftRunning(dir, "stale", "hello_world", "Ana", 120_000);
    await leftRunning(dir, "fresh", "hello_world", "Bo", 0);
    await leftRunning(dir, "elsewhere", "not_here", "Cy", 120_000);

    const first = await flux(["recover", helloFile], dir);
    expect(first.code, first.stderr).toBe(0);
    const report = stdoutJson<Report>(first);
    expect(report.recovered).toEqual([{ execution_id: "stale", workflow: "hello_world", state: "succeeded" }]);
    expect(Object.fromEntries(report.skipped.map((s) => [s.execution_id, s.reason]))).toEqual({
      fresh: "it made progress recently: its runner may be alive",
      elsewhere: 'workflow "not_here" is not registered here',
    });
    const inspected = stdoutJson<{ output: string; events: { type: string }[] }>(await flux(["inspect", "stale", "--json"], dir));
    expect(inspected.output).toBe("Hello, Ana");
    expect(inspected.events.map((e) => e.type)).toEqual(["WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED"]);

    const second = stdoutJson<Report>(await flux(["recover", helloFile, "--stale-after", "0"], dir));
    expect(second.recovered).toEqual([{ execution_id: "fresh", workflow: "hello_world", state: "succeeded" }]);
    expect(second.skipped.map((s) => s.execution_id)).toEqual(["elsewhere"]);
    console.log(`flux recover: first run ${JSON.stringify(report)}; with --stale-after 0: ${JSON.stringify(second)}`);
  });

  it("needs a PATH, checks --stale-after, and creates no database where there is none", async () => {
    const dir = userProject();
    const noPath = await flux(["recover"], dir);
    expect(noPath.code).toBe(2);
    expect(noPath.stderr).toContain("flux recover needs a PATH");
    const bad = await flux(["recover", helloFile, "--stale-after", "soon"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--stale-after needs a whole number of milliseconds ≥ 0, not "soon"');
    const empty = await flux(["recover", helloFile], dir);
    expect(stdoutJson(empty)).toEqual({ recovered: [], skipped: [] });
    expect(existsSync(join(dir, ".flux"))).toBe(false);
  });
});

describe("flux start recovers", () => {
  it("an execution left running after it started: its dispatcher finds it due", async () => {
    const dir = userProject();
    const server = await startFlux(join(repo, "examples", "hello_world.ts"), dir, ["--recover"]);
    await leftRunning(dir, "later", "hello_world", "Di", 120_000);
    await expect.poll(async () => ((await (await fetch(`${server.url}/inspect/later`)).json()) as { state: string; output?: unknown }), { timeout: 12_000, interval: 200 })
      .toMatchObject({ state: "succeeded", output: "Hello, Di" });
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
  }, 30_000);
});
