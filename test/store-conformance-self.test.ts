// The conformance suite must fail on broken stores: each mutant below breaks one guarantee,
// and the cases that cover it must reject. This keeps the suite from passing vacuously.
import { describe, expect, it } from "vitest";
import { ConflictError, StoreError } from "../src/errors.js";
import { nextSummary } from "../src/execution-summary.js";
import { decodeCursor, encodeCursor, isAfter, pageSize } from "../src/list-cursor.js";
import type { Commit, ExecutionPage, ExecutionSummary, ListOptions, StateStore, StoredEvent } from "../src/state-store.js";
import type { CaseContext } from "./conformance/case-context.js";
import { type ConformanceCase, runConformanceCase } from "./store-conformance.js";

type Bug = "noConflictCheck" | "nonAtomicBatch" | "oldestFirst" | "inclusiveCursor" | "closeIgnored" | "staleState"
  | "truncatesValues" | "emptyForMissingCache" | "forgetsOnReopen" | "reversedLoad" | "leaseIgnoresOwner" | "leaseStrictExpiry";

/** A straightforward store with one deliberate bug. */
class Mutant implements StateStore {
  logs = new Map<string, StoredEvent[]>();
  summaries = new Map<string, ExecutionSummary>();
  cache = new Map<string, string>();
  leases = new Map<string, { owner: string; expiresAt: number }>();
  closed = false;
  constructor(readonly bug: Bug) {}

  async commit(executionId: string, events: readonly StoredEvent[], options: { expectedSeq: number }) {
    return this.commitBatch([{ executionId, events, expectedSeq: options.expectedSeq }]);
  }
  async commitBatch(commits: readonly Commit[]) {
    this.check();
    if (this.bug !== "nonAtomicBatch") this.verify(commits);
    for (const commit of commits) {
      if (this.bug === "nonAtomicBatch") this.verify([commit]);
      if (commit.events.length === 0) continue;
      const stored = commit.events.map((e) => (this.bug === "truncatesValues" ? { ...e, value: e.value.slice(0, 65536) } : { ...e }));
      this.logs.set(commit.executionId, [...(this.logs.get(commit.executionId) ?? []), ...stored]);
      const next = nextSummary(this.summaries.get(commit.executionId), commit.executionId, commit.events);
      const previous = this.summaries.get(commit.executionId);
      this.summaries.set(commit.executionId, this.bug === "staleState" && previous ? { ...next, state: previous.state } : next);
    }
  }
  verify(commits: readonly Commit[]) {
    if (this.bug === "noConflictCheck") return;
    const pending = new Map<string, number>();
    for (const { executionId, events, expectedSeq } of commits) {
      const length = pending.get(executionId) ?? this.logs.get(executionId)?.length ?? 0;
      if (length !== expectedSeq) throw new ConflictError(`execution ${executionId} conflict`);
      pending.set(executionId, length + events.length);
    }
  }
  async load(id: string) {
    this.check();
    const log = (this.logs.get(id) ?? []).slice();
    return this.bug === "reversedLoad" ? log.reverse() : log;
  }
  async get(id: string) {
    this.check();
    return this.summaries.get(id);
  }
  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    this.check();
    const limit = pageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const sign = this.bug === "oldestFirst" ? -1 : 1;
    const all = [...this.summaries.values()]
      .filter((s) => (options.workflow === undefined || s.workflow === options.workflow) && (options.state === undefined || s.state === options.state))
      .filter((s) => after === undefined || isAfter(after, s.createdAt, s.executionId)
        || (this.bug === "inclusiveCursor" && s.executionId === after.executionId))
      .sort((a, b) => sign * (b.createdAt - a.createdAt || (a.executionId < b.executionId ? 1 : -1)));
    const executions = all.slice(0, limit);
    const last = executions[executions.length - 1];
    return all.length > limit && last ? { executions, nextCursor: encodeCursor(last) } : { executions };
  }
  async getCached(key: string) {
    this.check();
    return this.cache.get(key) ?? (this.bug === "emptyForMissingCache" ? "" : undefined);
  }
  async setCached(key: string, value: string) {
    this.check();
    this.cache.set(key, value);
  }
  async lease(id: string, owner: string, times: { now: number; expiresAt: number }) {
    this.check();
    const current = this.leases.get(id);
    const expired = current !== undefined && (this.bug === "leaseStrictExpiry" ? current.expiresAt < times.now : current.expiresAt <= times.now);
    if (current === undefined || expired || current.owner === owner || this.bug === "leaseIgnoresOwner") {
      this.leases.set(id, { owner, expiresAt: times.expiresAt });
    }
    return { ...this.leases.get(id)! };
  }
  async close() {
    if (this.bug !== "closeIgnored") this.closed = true;
  }
  check() {
    if (this.closed) throw new StoreError("closed");
  }
}

const caught: [Bug, ConformanceCase[]][] = [
  ["noConflictCheck", ["refuses an expectedSeq that is too low and writes nothing", "refuses an expectedSeq that is too high and writes nothing",
    "checks the expectedSeq of an empty commit and writes nothing", "lets exactly one of concurrent committers win",
    "lets exactly one of two handles on the same data win, commits and leases", "writes nothing of a commitBatch with one conflicting commit"]],
  ["nonAtomicBatch", ["writes nothing of a commitBatch with one conflicting commit"]],
  ["oldestFirst", ["lists newest first, ties by id, whatever was appended later", "pages with a cursor without repeats or gaps, across inserts",
    "caps a page at 100 by default and rejects bad limits and cursors", "applies a commitBatch, two commits of one execution included"]],
  ["inclusiveCursor", ["pages with a cursor without repeats or gaps, across inserts", "caps a page at 100 by default and rejects bad limits and cursors"]],
  ["closeIgnored", ["rejects every call after close; closing twice is harmless"]],
  ["staleState", ["moves the summary through created, running, paused, running, succeeded",
    "records failure and applies the last of several state changes in one commit", "filters by workflow, by state and by both"]],
  ["truncatesValues", ["stores a 1 MB value intact"]],
  ["emptyForMissingCache", ["gets, sets and overwrites cached values"]],
  ["forgetsOnReopen", ["keeps data after close and reopen"]],
  ["leaseIgnoresOwner", ["takes, renews and gives up a lease; another owner gets it only once expired",
    "gives a free lease to exactly one of concurrent takers", "keeps data after close and reopen"]],
  ["leaseStrictExpiry", ["takes, renews and gives up a lease; another owner gets it only once expired"]],
  ["reversedLoad", ["keeps log order across commits and executions", "round-trips every event type and value kind"]],
];

describe("the conformance suite fails on broken stores", () => {
  for (const [bug, titles] of caught) {
    for (const title of titles) {
      it(`${bug}: ${title}`, async () => {
        const context: CaseContext = {
          create: async () => new Mutant(bug),
          reopen: async (store) => {
            await store.close();
            const reopened = new Mutant(bug);
            if (bug !== "forgetsOnReopen") {
              const { logs, summaries, cache, leases } = store as unknown as Mutant;
              Object.assign(reopened, { logs, summaries, cache, leases });
            }
            return reopened;
          },
          openSecond: async (store) => store,
        };
        await expect(runConformanceCase(title, context)).rejects.toThrow();
      });
    }
  }

  it("passes the same mutant class without a bug on those cases", async () => {
    const healthy = { create: async () => new Mutant("none" as Bug), reopen: async (s: StateStore) => s, openSecond: async (s: StateStore) => s };
    for (const title of new Set(caught.flatMap(([, titles]) => titles))) {
      if (title === "keeps data after close and reopen" || title === "rejects every call after close; closing twice is harmless") continue;
      await runConformanceCase(title, healthy);
    }
  });
});
