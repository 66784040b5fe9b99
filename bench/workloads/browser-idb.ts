import { closePage, chromiumUnavailable, inPage } from "../browser/page-session.js";
import type { Workload } from "../lib/workload.js";

const steps = 1_000;

/**
 * A new execution of 1,000 sequential no-op steps in headless Chromium (Debian's, through
 * playwright-core), on the IndexedDB store: one strict-durability transaction per step. The
 * floor variants time bare one-put transactions (no engine) in the same browser.
 */
const browserIdb: Workload = {
  title: "Browser: sequential, 1,000 steps",
  unit: "steps/s",
  target: { value: 500, better: "higher", on: "idb" },
  // The floors: bare one-put IndexedDB transactions, no engine, with each durability.
  variants: ["idb", "store alone: 1 commit/step", "floor: 1-put txn, strict", "floor: 1-put txn, relaxed"],
  async unavailable() {
    return chromiumUnavailable();
  },
  async measure(variant) {
    if (variant === "idb") return inPage("sequential", steps);
    if (variant.startsWith("store")) return inPage("commits", steps);
    return inPage("floor", steps, variant.endsWith("strict") ? "strict" : "relaxed");
  },
  teardown: closePage,
};
export default browserIdb;
