import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flux, stdoutJson, userProject } from "./cli-support.js";

// The CLI's default engine keeps values over 256 KiB in .flux/blobs beside .flux/flux.db: the
// log holds references, and flux inspect (or a replay) reads the values back.
const large = `import { task, workflow } from "flux-ts";
export const make = task("make_report", async (size) => "r".repeat(size));
export const report = workflow("report", async (ctx) => (await ctx.run(make, ctx.input)).length + ":" + (await ctx.run(make, ctx.input)).slice(0, 3));
`;

describe("flux exec and flux inspect with large values", () => {
  it("writes a value over 256 KiB to .flux/blobs once and reads it back", async () => {
    const cwd = userProject({ "report.mjs": large });
    const ran = await flux(["exec", "report.mjs", "report", String(300 * 1024)], cwd);
    expect(ran.code, ran.stderr).toBe(0);
    const { execution_id: id, output } = stdoutJson<{ execution_id: string; output: string }>(ran);
    expect(output).toBe(`${300 * 1024}:rrr`);
    // Two results of the same text: one blob (a shard directory holding one file).
    const shards = readdirSync(join(cwd, ".flux", "blobs")).filter((name) => name !== ".tmp");
    expect(shards.flatMap((shard) => readdirSync(join(cwd, ".flux", "blobs", shard)))).toHaveLength(1);
    const inspected = stdoutJson<{ events: { type: string; value: unknown }[] }>(await flux(["inspect", id, "--json"], cwd));
    const results = inspected.events.filter((event) => event.type === "TASK_COMPLETED").map((event) => event.value);
    expect(results[0]).toBe("r".repeat(300 * 1024));
    expect(results[1]).toEqual({ $ref: "#/events/2/value" });
    // A replay by id reads the recorded results back from the blob.
    const replayed = await flux(["exec", "report.mjs", "report", "--execution-id", id], cwd);
    expect(stdoutJson<{ output: string }>(replayed).output).toBe(`${300 * 1024}:rrr`);
  });
});
