import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const child = fileURLToPath(new URL("./fixtures/memory-child.ts", import.meta.url));

/** Runs the child (2,000 steps of 10 KB outputs, then their replay) and says what it measured. */
async function measure(...mode: string[]): Promise<{ contextsMb: number; events: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", child, "2000", ...mode], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { contextsMb: number; events: number };
}

describe("bounded memory", () => {
  // By default every value stays available, as its encoded text (shared with the store), not as a
  // decoded copy per event and per replay record: 0.5 MB measured.
  it("a run and its replay keep their values encoded, not decoded copies", async () => {
    const report = await measure();
    expect(report.events).toBe(2 * (2 * 2000 + 2));
    expect(report.contextsMb).toBeLessThan(4);
  }, 180_000);

  // 2,000 steps of fresh 10 KB outputs are 20 MB of values. Measured: the two contexts (the run
  // and its replay) hold 0.4 MB with values released; 20.5 MB when every decoded value was kept (main before issue 14).
  it("with releaseValuesOver, a run and its replay do not keep their steps' large values in memory", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", child, "2000", "release"], { timeout: 120_000 });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { contextsMb: number; events: number };
    expect(report.events).toBe(2 * (2 * 2000 + 2));
    expect(report.contextsMb).toBeLessThan(4);
  }, 180_000);

  // A long history of small steps: what replay needs of a finished step is two event ids (the
  // rest is read back from the log), and the log keeps per event a few numbers and its value's
  // text (shared with the memory store here). Measured: 20,000 steps, run and replayed, 0.45 MB
  // for the two contexts; 6.1 MB when each finished step kept an index record and each event its strings.
  it("a run and its replay of 20,000 small steps hold a few numbers and a value text per event", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", child, "20000", "noop"], { timeout: 120_000 });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { contextsMb: number; events: number };
    expect(report.events).toBe(2 * (2 * 20_000 + 2));
    expect(report.contextsMb).toBeLessThan(2);
  }, 180_000);
});
