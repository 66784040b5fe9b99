import { Engine } from "../../src/index.js";
import { openBenchStore } from "../lib/bench-store.js";
import { sequentialWorkflow } from "../lib/noop.js";
import { secondsSince, type Peer } from "./peer.js";

/**
 * flux-ts itself: the engine embedded in this process, on the default store (a SQLite file,
 * WAL, synchronous = FULL), one file and one engine for the session, as the peers keep one
 * database: a hello-world run pays no file creation.
 */
export const fluxTs: Peer = {
  name: "flux-ts (this repo)",
  setup: "embedded; SQLite WAL, synchronous=FULL; one commit per step",
  async start() {
    const flows = new Map<number, ReturnType<typeof sequentialWorkflow>>();
    const { store, dispose } = await openBenchStore("sqlite");
    const engine = new Engine({ store });
    return {
      async run(steps) {
        const flow = flows.get(steps) ?? sequentialWorkflow(steps);
        flows.set(steps, flow);
        const start = performance.now();
        const ctx = await engine.run(flow, undefined);
        const seconds = secondsSince(start);
        if (ctx.output !== steps) throw new Error(`flux-ts ended ${ctx.state}`);
        return seconds;
      },
      processes: () => [process.pid],
      async stop() {
        await engine.close();
        await dispose();
      },
    };
  },
};
