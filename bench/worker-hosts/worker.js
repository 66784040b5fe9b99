// `npm run bench:worker`: one Worker serving flux-ts on Durable Objects (/do/...), flux-ts on D1
// (/d1/...) and Cloudflare Workflows (/cf/start, /cf/status: the peers' worker), so that one wrangler dev measures
// all three side by side. Plain JavaScript (as the peers' worker): `cloudflare:workers` stays out
// of flux-ts's type check.
import cloudflarePeer from "../peers/cloudflare/worker.js";
import { inObjects, invocations, onD1 } from "./hosts.ts";

/** The Cloudflare Workflows peer's workflow (N sequential `step.do`), served under /cf/. */
export { Sequential } from "../peers/cloudflare/worker.js";

export const FluxExecution = inObjects.ExecutionObject;
export const FluxDirectory = inObjects.DirectoryObject;

/** The request with its first path segment (the host's prefix) removed. */
function unprefixed(request, url) {
  const inner = new URL(url);
  inner.pathname = url.pathname.replace(/^\/[^/]+/, "") || "/";
  return new Request(inner, request);
}

export default {
  // The D1 host's Cron Trigger (wrangler dev --test-scheduled: GET /__scheduled).
  scheduled: (controller, env, ctx) => onD1.scheduled(controller, env, ctx),
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/do/")) return inObjects.fetch(unprefixed(request, url), env);
    if (url.pathname.startsWith("/d1/")) return onD1.fetch(unprefixed(request, url), env, ctx);
    if (url.pathname === "/do-invocations") return Response.json(invocations.splice(0));
    if (url.pathname.startsWith("/cf/")) return cloudflarePeer.fetch(unprefixed(request, url), env);
    return new Response("not found", { status: 404 });
  },
};
