import { afterAll, beforeAll } from "vitest";
import { postgresUnavailable, startPostgres, type ClusterOptions, type PostgresCluster } from "./postgres-cluster.js";

/** A test file's throwaway PostgreSQL cluster (see {@link usePostgres}). */
export interface UsedPostgres {
  /** Why PostgreSQL cannot run here (its binaries are missing); `undefined` when it runs. Tests skip with this reason, never silently. */
  readonly unavailable: string | undefined;
  /** The cluster, once `beforeAll` started it. */
  cluster(): PostgresCluster;
}

/**
 * Starts a throwaway PostgreSQL cluster for this test file (beforeAll) and stops it (afterAll,
 * also when tests failed; a process that exits takes it along). When PostgreSQL is not
 * installed, starts nothing and says why in `unavailable`.
 */
export function usePostgres(options: ClusterOptions = {}): UsedPostgres {
  const unavailable = postgresUnavailable();
  let cluster: PostgresCluster | undefined;
  if (unavailable === undefined) {
    beforeAll(async () => {
      cluster = await startPostgres(options);
    }, 120_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 30_000);
  }
  return {
    unavailable,
    cluster: () => {
      if (cluster === undefined) throw new Error(unavailable ?? "the PostgreSQL cluster has not started (used outside a test?)");
      return cluster;
    },
  };
}
