export { freePort } from "../lib/flux-server.js";
import { withDeadline } from "./deadline.js";

/**
 * Polls `check` every `everyMs` until it resolves true; rejects after `timeoutMs` with `what`,
 * also when a check itself never answers (a request to a server that accepted and hung).
 */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(1, deadline - Date.now());
    if (await withDeadline(check(), left, `waiting for ${what}`).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
