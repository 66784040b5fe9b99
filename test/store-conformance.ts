import { afterEach, describe, it } from "vitest";
import type { StateStore } from "../src/state-store.js";
import type { Case, CaseContext } from "./conformance/case-context.js";
import { conflictCases } from "./conformance/conflict-cases.js";
import { leaseCases } from "./conformance/lease-cases.js";
import { lifecycleCases } from "./conformance/lifecycle-cases.js";
import { listCases } from "./conformance/list-cases.js";
import { logCases } from "./conformance/log-cases.js";
import { waitCases } from "./conformance/wait-cases.js";
import { eventCases } from "./conformance/event-cases.js";
import { queueCases } from "./conformance/queue-cases.js";

export { admitCases } from "./conformance/queue-cases.js";

const cases = { ...logCases, ...listCases, ...conflictCases, ...leaseCases, ...lifecycleCases, ...waitCases, ...eventCases, ...queueCases } satisfies Record<string, Case>;

/** The title of one conformance case, as `skip` names it. */
export type ConformanceCase = keyof typeof cases;

/** Every case of the suite, by title. */
export const conformanceCases: readonly ConformanceCase[] = Object.keys(cases) as ConformanceCase[];

/** Runs one case outside vitest's registration (the suite's own self-test uses it on broken stores). */
export function runConformanceCase(title: ConformanceCase, context: CaseContext): Promise<void> {
  return cases[title](context);
}

/** Cases a store does not run, and why. A skip always carries its reason. */
export interface ConformanceSkip {
  readonly reason: string;
  readonly tests: readonly ConformanceCase[];
}

/** How {@link testStateStore} makes and reopens the stores under test. */
export interface StateStoreSuite {
  readonly name: string;
  /** A new, empty store. The suite closes it after the case. */
  readonly create: () => Promise<StateStore>;
  /** Closes `store` and opens the same data again. Absent for a store that keeps nothing. */
  readonly reopen?: (store: StateStore) => Promise<StateStore>;
  /** Another handle on the data of the open `store`, as a second process or tab would have. */
  readonly openSecond?: (store: StateStore) => Promise<StateStore>;
  readonly skip?: readonly ConformanceSkip[];
}

/**
 * Registers the StateStore conformance suite (vitest) for one store: every store must pass every
 * case, bar those it skips with a reason. A case that needs `reopen` or `openSecond` fails when the
 * suite gives none and does not skip it, so a missing capability is always explicit.
 *
 * @example
 * testStateStore({ name: "memory", create: async () => new MemoryStore(), skip: [{ reason: "keeps nothing", tests: ["keeps data after close and reopen"] }] });
 */
export function testStateStore(suite: StateStoreSuite): void {
  const skipped = new Map<string, string>();
  for (const { reason, tests } of suite.skip ?? []) {
    if (reason.trim() === "") throw new Error(`${suite.name}: a skip needs a reason`);
    for (const test of tests) {
      if (!(test in cases)) throw new Error(`${suite.name}: skip names an unknown conformance case ${JSON.stringify(test)}`);
      skipped.set(test, reason);
    }
  }

  describe(`StateStore conformance: ${suite.name}`, () => {
    const open: StateStore[] = [];
    const track = async (store: Promise<StateStore>) => {
      const opened = await store;
      open.push(opened);
      return opened;
    };
    const context: CaseContext = {
      create: () => track(suite.create()),
      reopen: (store) => {
        if (suite.reopen === undefined) throw new Error(`${suite.name} gives no reopen: pass one, or skip this case with a reason`);
        return track(suite.reopen(store));
      },
      openSecond: (store) => {
        if (suite.openSecond === undefined) throw new Error(`${suite.name} gives no openSecond: pass one, or skip this case with a reason`);
        return track(suite.openSecond(store));
      },
    };

    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((store) => store.close()));
    });

    for (const [title, run] of Object.entries(cases) as [ConformanceCase, Case][]) {
      const reason = skipped.get(title);
      if (reason === undefined) it(title, () => run(context));
      else it.skip(`${title} (skipped: ${reason})`, () => undefined);
    }
  });
}
