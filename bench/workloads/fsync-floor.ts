import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Workload } from "../lib/workload.js";

const syncs = 2_000;

/**
 * The physical floor of a durable step on this machine: milliseconds per `fdatasync` after a
 * 128-byte append to a file in the temp directory (where the SQLite benchmarks write).
 */
const fsyncFloor: Workload = {
  title: "fsync floor (128 B append + fdatasync)",
  unit: "ms",
  variants: ["-"],
  async measure() {
    const dir = mkdtempSync(join(tmpdir(), "flux-floor-"));
    const fd = openSync(join(dir, "log"), "w");
    const record = Buffer.alloc(128, 1);
    const start = performance.now();
    for (let i = 0; i < syncs; i += 1) {
      writeSync(fd, record);
      fdatasyncSync(fd);
    }
    const ms = (performance.now() - start) / syncs;
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    return ms;
  },
};
export default fsyncFloor;
