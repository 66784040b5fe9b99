import { decodeValue, encodeValue } from "../../src/serialization.js";
import type { ExecutionPage, ExecutionSummary, ListOptions } from "../../src/state-store.js";
import type { DurableObjectNamespaceLike } from "./durable-object-like.js";

/**
 * The index of executions across execution objects, kept by the directory object
 * (`FluxDirectory`): what `GET /executions` lists and how a request for a subworkflow finds the
 * object of its root execution.
 *
 * - Each execution object records the summaries of its executions whose state changed, after
 *   the commit that changed it; a summary never replaces one with more events, so a late or
 *   repeated record cannot move an execution back. The index lags the objects by that one
 *   request; the objects stay the truth (`/inspect/{id}` reads the object).
 * - `list` has `StateStore.list`'s order, filters and cursors (newest first).
 *
 * @example
 * const page = await new ExecutionDirectory(env.DIRECTORY).list({ state: "paused", limit: 20 });
 */
export class ExecutionDirectory {
  readonly #namespace: DurableObjectNamespaceLike;
  readonly #name: string;

  /** The directory in `namespace` (one object, named `name`). */
  constructor(namespace: DurableObjectNamespaceLike, name = "directory") {
    this.#namespace = namespace;
    this.#name = name;
  }

  /** Records `summaries` (ignoring any that would move an execution back). */
  async record(summaries: readonly ExecutionSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    await this.#call("record", summaries);
  }

  /** A page of executions, newest first, as `StateStore.list` pages them. */
  async list(options: ListOptions = {}): Promise<ExecutionPage> {
    return (await this.#call("list", options)) as ExecutionPage;
  }

  /** The id of the root execution whose object holds `executionId` (itself for a root), or `undefined` when the index does not know it. */
  async locate(executionId: string): Promise<string | undefined> {
    return ((await this.#call("locate", executionId)) as string | null) ?? undefined;
  }

  async #call(op: string, arg: unknown): Promise<unknown> {
    const stub = this.#namespace.get(this.#namespace.idFromName(this.#name) as never);
    const response = await stub.fetch(new Request(`https://flux.directory/${op}`, { method: "POST", body: encodeValue(arg) }));
    const answer = decodeValue(await response.text()) as { ok: true; value: unknown } | { ok: false; error: unknown };
    if (!answer.ok) throw answer.error;
    return answer.value;
  }
}
