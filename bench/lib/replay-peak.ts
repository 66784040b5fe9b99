import { openBenchStore } from "./bench-store.js";
import { plantHistory, recordHistory } from "./recorded-history.js";
import { replayInChild, type ReplayChildReport } from "./replay-child-command.js";

/**
 * A sampler of what a fresh Node process pays to open a SQLite file holding one execution of
 * `steps` recorded no-op steps and replay it to the end (`replay-child.ts`, loaded through `tsx`
 * or bundled as plain JavaScript): each call plants the history in a new file and runs one child.
 */
export function replayPeak(steps: number): (loader: "tsx" | "node") => Promise<ReplayChildReport> {
  const history = recordHistory(steps);
  let runs = 0;
  return async (loader) => {
    const recorded = await history;
    const { store, path, dispose } = await openBenchStore("sqlite");
    const executionId = `memory-${(runs += 1)}`;
    await plantHistory(store, recorded, executionId);
    await store.close();
    try {
      return await replayInChild(loader, path!, executionId, steps);
    } finally {
      await dispose();
    }
  };
}
