// The peers' PostgreSQL is the tests' throwaway cluster, durable (fsync, synchronous_commit on).
import { startPostgres as startCluster, type PostgresCluster } from "../../test/support/postgres-cluster.js";

export { postgresBin } from "../../test/support/postgres-cluster.js";

/** A throwaway PostgreSQL cluster on 127.0.0.1, from Debian's packages. */
export type Postgres = PostgresCluster;

/** initdb in a new temp directory, then postgres on 127.0.0.1 at a free port, with PostgreSQL's default durability. */
export function startPostgres(): Promise<Postgres> {
  return startCluster({ durable: true });
}
