import type { HistoryCheck } from "flux-ts";

/**
 * The note the execution panel shows for a replay check (`checkHistory`, or the server's
 * `GET /executions/{id}/check`): `against` names the code, e.g. "the server's code".
 */
export function checkNote(check: HistoryCheck, against: string): { readonly text: string; readonly ok: boolean } {
  if (check.result === "compatible") {
    return { ok: true, text: `✓ Compatible with ${against}: ${check.steps} recorded step(s) replayed deterministically, nothing ran` };
  }
  if (check.result === "divergent") return { ok: false, text: `✗ Divergent from ${against}: ${check.divergence ?? ""}` };
  return { ok: false, text: `? Not checked: ${check.reason ?? ""}` };
}
