import { Engine } from "../../src/index.js";
import { openBenchStore } from "../lib/bench-store.js";
import { sequentialWorkflow } from "../lib/noop.js";
import { secondsSince, type Peer } from "./peer.js";

/** flux-ts itself: the engine embedded in this process, on the default store (a SQLite file, WAL, synchronous = FULL). */
export const fluxTs: Peer = {
  name: "flux-ts (this repo)",
  setup: "embedded; SQLite WAL, synchronous=FULL; one commit per step",
  async start() {
    const flows = new Map<number, ReturnType<typeof sequentialWorkflow>>();
    const opened: (() => Promise<void>)[] = [];
    return {
      async run(steps) {
        const { store, dispose } = await openBenchStore("sqlite");
        opened.push(dispose);
        let flow = flows.get(steps);
        if (flow === undefined) flows.set(steps, (flow = sequentialWorkflow(steps)));
        const start = performance.now();
        const ctx = await new Engine({ store }).run(flow, undefined);
        const seconds = secondsSince(start);
        if (ctx.output !== steps) throw new Error(`flux-ts ended ${ctx.state}`);
        return seconds;
      },
      async stop() {
        for (const dispose of opened) await dispose();
      },
    };
  },
};
