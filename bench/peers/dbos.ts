import { processesMatching, processTree } from "./fsyncs.js";
import { importPeer, peerVersion } from "./peer-modules.js";
import { secondsSince, type Peer } from "./peer.js";
import { postgresBin, startPostgres } from "./postgres.js";

/** The few members of `@dbos-inc/dbos-sdk` the benches use. */
export interface DbosModule {
  readonly DBOS: {
    setConfig(config: { name: string; systemDatabaseUrl: string; logLevel?: string }): void;
    launch(): Promise<void>;
    shutdown(): Promise<void>;
    registerWorkflow<A extends unknown[], R>(fn: (...args: A) => Promise<R>, config: { name: string }): (...args: A) => Promise<R>;
    runStep<R>(fn: () => Promise<R>, config: { name: string }): Promise<R>;
  };
}

/**
 * DBOS Transact: the SDK embedded in this process, its system database on a local PostgreSQL
 * (Debian's, default durability: fsync and synchronous_commit on); each `DBOS.runStep` is
 * checkpointed in PostgreSQL before the workflow goes on.
 */
export const dbos: Peer = {
  get name() {
    return `DBOS Transact ${peerVersion("@dbos-inc/dbos-sdk")}`;
  },
  get setup() {
    return `embedded; PostgreSQL ${postgresBin()?.split("/").at(-2) ?? "?"} on 127.0.0.1 (fsync, synchronous_commit on)`;
  },
  async start() {
    // pg (DBOS's driver) warns that it is called while busy, once, in the middle of the output.
    process.noDeprecation = true;
    const postgres = await startPostgres();
    try {
      const { DBOS } = await importPeer<DbosModule>("@dbos-inc/dbos-sdk");
      DBOS.setConfig({ name: "flux-bench", systemDatabaseUrl: postgres.url("dbos_bench_sys"), logLevel: "error" });
      const sequential = DBOS.registerWorkflow(async (steps: number) => {
        for (let i = 0; i < steps; i += 1) await DBOS.runStep(async () => i, { name: "noop" });
        return steps;
      }, { name: "sequential" });
      await DBOS.launch();
      return {
        async run(steps) {
          const start = performance.now();
          const output = await sequential(steps);
          const seconds = secondsSince(start);
          if (output !== steps) throw new Error(`DBOS returned ${String(output)}`);
          return seconds;
        },
        // The SDK in this process, and the cluster's postmaster with every process below it (its backends, WAL writer, checkpointer).
        processes: () => [process.pid, ...processesMatching(`-p ${postgres.port} `).flatMap(processTree)],
        async stop() {
          await DBOS.shutdown();
          await postgres.stop();
        },
      };
    } catch (error) {
      await postgres.stop();
      throw error;
    }
  },
};
