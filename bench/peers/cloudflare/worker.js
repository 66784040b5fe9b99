// The Cloudflare Workflows peer of `npm run bench:peers`: a WorkflowEntrypoint with N
// sequential no-op `step.do` steps, run under the repo's wrangler (`wrangler dev`, local).
// Plain JavaScript on purpose: wrangler bundles it, and flux-ts's type check never sees
// `cloudflare:workers`.
import { WorkflowEntrypoint } from "cloudflare:workers";

export class Sequential extends WorkflowEntrypoint {
  async run(event, step) {
    const steps = event.payload.steps;
    // Step names are the steps' identities in Cloudflare Workflows: one per step.
    for (let i = 0; i < steps; i += 1) await step.do(`noop ${i}`, async () => i);
    return steps;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/start") {
      const instance = await env.SEQUENTIAL.create({ params: { steps: Number(url.searchParams.get("steps")) } });
      return Response.json({ id: instance.id });
    }
    if (url.pathname === "/status") {
      const instance = await env.SEQUENTIAL.get(url.searchParams.get("id"));
      return Response.json(await instance.status());
    }
    return new Response("not found", { status: 404 });
  },
};
