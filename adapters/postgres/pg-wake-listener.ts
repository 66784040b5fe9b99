import type { PgClientLike, PgPoolLike } from "./pg-like.js";

/** What a listener hears: the executions made due (or given a timer), or `undefined` when notifications may have been missed (a reconnect). */
export type WakeListener = (executionIds: readonly string[] | undefined) => void;

/** How long the listener waits before connecting again after losing its connection (ms), doubling up to {@link maxRetryDelay}. */
const firstRetryDelay = 250;
const maxRetryDelay = 10_000;

/**
 * One connection taken out of the pool that runs `LISTEN channel` and hands each notification
 * to every subscriber. Started by the first subscriber, given back when the last one leaves.
 * A lost connection is replaced (after 250 ms, doubling up to 10 s), and subscribers then hear
 * `undefined`: whatever was notified meanwhile was missed, so they should look for due work.
 */
export class PgWakeListener {
  readonly #pool: PgPoolLike;
  readonly #channel: string;
  readonly #listeners = new Set<WakeListener>();
  #client: PgClientLike | undefined;
  #connecting: Promise<void> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = firstRetryDelay;

  constructor(pool: PgPoolLike, channel: string) {
    this.#pool = pool;
    this.#channel = channel;
  }

  /** Adds `listener`; resolves to the function that removes it (the last removal gives the connection back). */
  subscribe(listener: WakeListener): () => void {
    this.#listeners.add(listener);
    if (this.#client === undefined && this.#connecting === undefined) this.#connect(false);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  /** Stops listening and gives the connection back (closed). */
  close(): void {
    this.#listeners.clear();
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      client.removeAllListeners("notification");
      client.removeAllListeners("error");
      client.release(true);
    }
  }

  #connect(again: boolean): void {
    this.#connecting = (async () => {
      let client: PgClientLike | undefined;
      try {
        client = await this.#pool.connect();
        client.on("notification", (message) => {
          if (message.channel !== this.#channel) return;
          const ids = parseIds(message.payload);
          for (const listener of this.#listeners) listener(ids);
        });
        client.on("error", () => this.#lost(client!));
        await client.query(`LISTEN ${this.#channel}`);
        if (this.#listeners.size === 0) return client.release(true);
        this.#client = client;
        this.#delay = firstRetryDelay;
        if (again) for (const listener of this.#listeners) listener(undefined);
      } catch {
        if (client !== undefined) client.release(true);
        this.#scheduleRetry();
      } finally {
        this.#connecting = undefined;
      }
    })();
  }

  #lost(client: PgClientLike): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners("notification");
    client.release(true);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#listeners.size === 0 || this.#retry !== undefined) return;
    const delay = this.#delay;
    this.#delay = Math.min(maxRetryDelay, delay * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#listeners.size > 0) this.#connect(true);
    }, delay);
    (this.#retry as { unref?: () => void }).unref?.();
  }
}

/** The payload of a wake notification: a JSON array of execution ids, or anything else for "look". */
function parseIds(payload: string | undefined): readonly string[] | undefined {
  try {
    const ids: unknown = JSON.parse(payload ?? "");
    return Array.isArray(ids) && ids.every((id) => typeof id === "string") ? ids : undefined;
  } catch {
    return undefined;
  }
}

/** The payload that names `executionIds` (at most 100 of them, within NOTIFY's 8000 bytes); an empty one for more. */
export function wakePayload(executionIds: readonly string[]): string {
  const text = JSON.stringify(executionIds);
  return executionIds.length <= 100 && text.length < 7900 ? text : "";
}

/**
 * Sends the wake of `executionIds` on `channel` (`pg_notify`) inside the caller's transaction on
 * `client`: PostgreSQL delivers it to every connection listening there when the transaction
 * commits, and never when it rolls back.
 */
export async function notifyWake(client: PgClientLike, channel: string, executionIds: readonly string[]): Promise<void> {
  await client.query("SELECT pg_notify($1, $2)", [channel, wakePayload(executionIds)]);
}
