/**
 * `flux exec`'s live progress: a task's fraction is a bar per running step on a terminal, kept
 * under the lines and gone once the step ends; elsewhere a percentage, never a raw fraction.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { reportProgress } from "../adapters/node/progress-reporter.js";
import type { CliIo } from "../adapters/node/cli-io.js";
import { Engine, MemoryStore, task, workflow } from "../src/index.js";

function capture(isTTY: boolean) {
  let out = "";
  const stream = Object.assign(new Writable({ write(chunk, _encoding, done) { out += String(chunk); done(); } }), { isTTY });
  const io: CliIo = { stdout: stream, stderr: stream, env: { NO_COLOR: "1" }, cwd: "/" };
  return { io, text: () => out };
}

/** What a terminal shows after `text`: "ESC[nF" moves the cursor up n lines (to their start), "ESC[J" clears from it to the end. */
function screen(text: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  for (const part of text.split(/(\u001b\[\d*F|\u001b\[J)/)) {
    const up = /^\u001b\[(\d*)F$/.exec(part);
    if (up) row = Math.max(0, row - Number(up[1] || 1));
    else if (part === "\u001b[J") lines.splice(row, lines.length - row, "");
    else {
      for (const char of part) {
        if (char === "\n") {
          row += 1;
          lines[row] ??= "";
        } else lines[row] += char;
      }
    }
  }
  return lines.filter((line) => line !== "");
}

const download = task.withContext("download", async (tc, parts: number) => {
  for (let i = 1; i <= parts; i++) tc.progress(i / parts);
  tc.progress({ note: "checksum ok" });
  return parts;
});
const flow = workflow("flow", async (ctx) => ctx.run(download, 4));

/** What the progress reporter wrote while `flow` ran, on a terminal or not. */
async function progressOf(isTTY: boolean): Promise<string> {
  const { io, text } = capture(isTTY);
  const engine = new Engine({ store: new MemoryStore(), workflows: [flow] });
  const stop = reportProgress(engine, io);
  await engine.run(flow, undefined);
  stop();
  await engine.close();
  return text();
}

describe("progress on the command line", () => {
  it("draws a bar per running step on a terminal, and removes it when the step ends", async () => {
    const out = await progressOf(true);
    expect(out).toContain("██████░░░░░░░░░░░░░░░░░░  25%");
    expect(out).toContain("████████████████████████ 100%");
    expect(out).not.toMatch(/\b0\.25\b|\b0\.5\b/);
    const final = screen(out);
    expect(final.some((l) => l.includes("█") || l.includes("░"))).toBe(false); // the bar is gone
    expect(final.some((l) => l.includes("download") && l.includes("✓"))).toBe(true);
    expect(final.some((l) => l.includes('{"note":"checksum ok"}'))).toBe(true); // other values: a line
  });

  it("prints a percentage, not a fraction, when stderr is not a terminal", async () => {
    const out = await progressOf(false);
    expect(out).toMatch(/download step 1 {2}25%\n/);
    expect(out).not.toContain("\u001b[");
    expect(out).not.toContain("0.25");
  });
});
