// A Cloudflare Worker with @cloudflare/workers-types only: createWorker fits ExportedHandler,
// and a real D1Database fits the D1 store.
import { D1Store } from "flux-ts/adapters/d1";
import { createWorker } from "flux-ts/worker";
import { helloWorld, useTheCore } from "./common.js";

interface Env {
  readonly DB: D1Database;
}

export default createWorker({ workflows: [helloWorld] }) satisfies ExportedHandler<Env>;

export function withD1(env: Env): Promise<string> {
  return useTheCore(new D1Store(env.DB, { binding: "DB" }));
}
