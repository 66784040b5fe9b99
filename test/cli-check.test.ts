/**
 * `flux check FILE`: stored histories replayed against the code in FILE, running nothing. The
 * histories are recorded by `flux exec` with one version of a workflow file; the file is then
 * changed as a deploy would change it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../adapters/sqlite/index.js";
import { encodeValue } from "../src/serialization.js";
import { flux, fluxOnTerminal, userProject } from "./cli-support.js";

const version = (steps: string) => `
import { task, workflow } from "flux-ts";
const reserve = task("reserve", async (x) => \`reserved \${x}\`);
const charge = task("charge", async (x) => \`charged \${x}\`);
const ship = task("ship", async (x) => \`shipped \${x}\`);
export const order = workflow("order", async (ctx) => {
${steps}
});
`;
const v1 = version(`  const r = await ctx.run(reserve, ctx.input);
  const ok = await ctx.pause("approve");
  return [r, ok, await ctx.run(ship, ctx.input)];`);

describe("flux check", () => {
  const project = userProject({ "workflows.mjs": v1 });
  const ids: Record<string, string> = {};

  it("finds every stored history compatible with the code that recorded it (exit 0)", async () => {
    const paused = await flux(["exec", "workflows.mjs", "order", "a"], project);
    expect(paused.code).toBe(3);
    ids.paused = (JSON.parse(paused.stdout) as { execution_id: string }).execution_id;
    const other = await flux(["exec", "workflows.mjs", "order", "b"], project);
    ids.done = (JSON.parse(other.stdout) as { execution_id: string }).execution_id;
    expect((await flux(["exec", "workflows.mjs", "order", "--execution-id", ids.done, "--resume-with", "yes"], project)).code).toBe(0);
    // A run a dead process left mid-step: reserve done, ship started and never finished.
    const store = new SqliteStore(join(project, ".flux", "flux.db"));
    const at = Date.now() - 1000;
    const event = (id: number, type: string, sourceId: string, name: string, value: unknown) => ({ id, type, sourceId, name, value: encodeValue(value), time: at + id });
    await store.commit("in-flight", [
      event(0, "WORKFLOW_STARTED", "in-flight", "order", "c"), event(1, "TASK_STARTED", "1", "reserve", ["c"]), event(2, "TASK_COMPLETED", "1", "reserve", "reserved c"),
    ], { expectedSeq: 0 });
    await store.close();

    const checked = await fluxOnTerminal(["check", "workflows.mjs"], project);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain("3 execution(s) checked: 3 compatible, 0 divergent");
    // Paused first, then running, then finished.
    const order = checked.stdout.split("\n").filter((line) => line.includes("compatible  order")).map((line) => /\((\w+)\)/.exec(line)![1]);
    expect(order).toEqual(["paused", "running", "succeeded"]);
    const json = await flux(["check", "workflows.mjs"], project);
    expect(json.stderr).toBe("");
    expect(JSON.parse(json.stdout)).toMatchObject({ checked: 3, divergent: 0 });
  });

  it("reports a renamed step with the step, what was recorded and what the code calls now (exit 1)", async () => {
    writeFileSync(join(project, "workflows.mjs"), version(`  const r = await ctx.run(charge, ctx.input);
  const ok = await ctx.pause("approve");
  return [r, ok, await ctx.run(ship, ctx.input)];`));
    const checked = await flux(["check", "workflows.mjs", "--json"], project);
    expect(checked.code).toBe(1);
    const report = JSON.parse(checked.stdout) as { divergent: number; executions: { execution_id: string; result: string; divergence?: string }[] };
    expect(report.divergent).toBe(3);
    const paused = report.executions.find((e) => e.execution_id === ids.paused)!;
    expect(paused.result).toBe("divergent");
    expect(paused.divergence).toMatch(/step 1 was recorded as task "reserve", but the code now calls task "charge"/);
  });

  it("reports a removed step on finished histories, and accepts a step added after the pause on paused ones", async () => {
    writeFileSync(join(project, "workflows.mjs"), version(`  const r = await ctx.run(reserve, ctx.input);
  const ok = await ctx.pause("approve");
  await ctx.run(charge, ctx.input);
  return [r, ok, await ctx.run(ship, ctx.input)];`));
    const checked = await flux(["check", "workflows.mjs", "--json"], project);
    expect(checked.code).toBe(1);
    const results = Object.fromEntries((JSON.parse(checked.stdout) as { executions: { execution_id: string; result: string; divergence?: string }[] }).executions.map((e) => [e.execution_id, e]));
    expect(results[ids.paused!]!.result).toBe("compatible");
    expect(results["in-flight"]!.result).toBe("compatible");
    expect(results[ids.done!]!.result).toBe("divergent");
    expect(results[ids.done!]!.divergence).toContain('task "charge"');

    writeFileSync(join(project, "workflows.mjs"), v1);
    expect(JSON.parse((await flux(["check", "workflows.mjs", "--limit", "1"], project)).stdout)).toMatchObject({ checked: 1, divergent: 0 });
    expect((await flux(["check"], project)).code).toBe(2);
    expect((await flux(["check", "workflows.mjs", "--limit", "0"], project)).code).toBe(2);
  });
});

describe("flux check on subworkflows", () => {
  const file = `
import { task, workflow } from "flux-ts";
const hello = task("hello", async (x) => \`hi \${x}\`);
export const child = workflow("child", async (ctx) => [await ctx.run(hello, ctx.input), await ctx.pause("ok")]);
export const parent = workflow("parent", async (ctx) => (await ctx.call(child, ctx.input)).output);
`;
  const project = userProject({ "workflows.mjs": file });

  it("checks a parent paused on a subworkflow (with the child's history), not 'unchecked'", async () => {
    expect((await flux(["exec", "workflows.mjs", "parent", "a"], project)).code).toBe(3);
    const checked = await flux(["check", "workflows.mjs", "--json"], project);
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.stdout) as { checked: number; executions: { workflow: string; state: string; result: string }[] };
    expect(report.executions.map((e) => [e.workflow, e.state, e.result]).sort()).toEqual([["child", "paused", "compatible"], ["parent", "paused", "compatible"]]);
  });
});
