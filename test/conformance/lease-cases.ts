import { expect } from "vitest";
import { ExecutionNotFoundError } from "../../src/errors.js";
import type { StateStore } from "../../src/state-store.js";
import { type Case, started, T0 } from "./case-context.js";

/** Takers race for the free lease of `executionId`: exactly one must get it, and all must agree. */
export async function raceForLease(takers: readonly (readonly [StateStore, string])[], executionId: string, now: number): Promise<string> {
  const leases = await Promise.all(takers.map(([store, owner]) => store.lease(executionId, owner, { now, expiresAt: now + 1000 })));
  const owners = new Set(leases.map((lease) => lease.owner));
  expect(owners.size).toBe(1);
  const [winner] = [...owners];
  expect(takers.filter(([, owner]) => owner === winner).length).toBe(1);
  expect(leases.every((lease) => lease.expiresAt === now + 1000)).toBe(true);
  return winner ?? "";
}

/** Cases about execution leases. */
export const leaseCases = {
  "takes, renews and gives up a lease; another owner gets it only once expired": async ({ create }) => {
    const store = await create();
    await expect(store.lease("e", "A", { now: T0, expiresAt: T0 + 1000 })).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    await store.commit("f", started("w", T0), { expectedSeq: 0 });
    expect(await store.lease("e", "A", { now: T0, expiresAt: T0 + 1000 })).toEqual({ owner: "A", expiresAt: T0 + 1000 });
    expect(await store.lease("e", "B", { now: T0 + 500, expiresAt: T0 + 1500 })).toEqual({ owner: "A", expiresAt: T0 + 1000 });
    expect(await store.lease("e", "A", { now: T0 + 500, expiresAt: T0 + 1600 })).toEqual({ owner: "A", expiresAt: T0 + 1600 });
    expect(await store.lease("e", "B", { now: T0 + 1599, expiresAt: T0 + 2000 })).toEqual({ owner: "A", expiresAt: T0 + 1600 });
    expect(await store.lease("e", "B", { now: T0 + 1600, expiresAt: T0 + 2600 })).toEqual({ owner: "B", expiresAt: T0 + 2600 });
    expect(await store.lease("f", "A", { now: T0 + 1600, expiresAt: T0 + 9000 })).toEqual({ owner: "A", expiresAt: T0 + 9000 });
    // Giving up is renewing with expiresAt = now; the lease is then free at once.
    expect(await store.lease("e", "B", { now: T0 + 2000, expiresAt: T0 + 2000 })).toEqual({ owner: "B", expiresAt: T0 + 2000 });
    expect(await store.lease("e", "A", { now: T0 + 2000, expiresAt: T0 + 3000 })).toEqual({ owner: "A", expiresAt: T0 + 3000 });
    expect(await store.lease("e", "B", { now: T0 + 2500, expiresAt: T0 + 4000 })).toEqual({ owner: "A", expiresAt: T0 + 3000 });
  },

  "gives a free lease to exactly one of concurrent takers": async ({ create }) => {
    const store = await create();
    await store.commit("e", started("w", T0), { expectedSeq: 0 });
    for (let round = 0; round < 3; round += 1) {
      const now = T0 + round * 10_000;
      await raceForLease(["r1", "r2", "r3", "r4"].map((owner) => [store, owner] as const), "e", now);
    }
  },
} satisfies Record<string, Case>;
