// A Node project: the Node entry's own exports (createNodeEngine as docs/http.md shows), with
// @types/node only. `./node-entry.js` re-exports "flux-ts" (node16, nodenext) or "flux-ts/node" (bundler).
import { createNodeEngine, envSecrets } from "./node-entry.js";
import { useTheCore } from "./common.js";

const engine = createNodeEngine({ secrets: envSecrets(process.env), holdSleepsUpTo: 60_000 });
export const ran: Promise<string> = useTheCore(engine.store);
