/**
 * The part of a Durable Object's SQL storage (`ctx.storage.sql`) that flux-ts uses: `exec`,
 * which runs one statement synchronously and returns a cursor over its rows. A real
 * `SqlStorage` is one; no Cloudflare package is needed.
 */
export interface DurableObjectSqlLike {
  exec(query: string, ...bindings: unknown[]): { toArray(): Record<string, unknown>[] };
}

/**
 * The part of a Durable Object's storage (`ctx.storage`, an object created with
 * `new_sqlite_classes`) that flux-ts uses: its SQLite database, synchronous transactions, and
 * the object's one alarm.
 */
export interface DurableObjectStorageLike {
  readonly sql: DurableObjectSqlLike;
  /** Runs `fn` as one transaction: all its writes land, or, when it throws, none does. */
  transactionSync<T>(fn: () => T): T;
  /** The alarm's time (ms since the epoch), or null when none is set. */
  getAlarm(): Promise<number | null>;
  /** Sets the object's alarm (replacing any earlier one): its `alarm()` handler runs then. */
  setAlarm(scheduledTime: number | Date): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** The part of a Durable Object's state (`ctx`, the constructor's first argument) that flux-ts uses. */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
  /** Keeps the object working on `promise` after a response. */
  waitUntil(promise: Promise<unknown>): void;
}

/** A Durable Object's stub: requests to the one object it names. */
export interface DurableObjectStubLike {
  fetch(request: Request): Promise<Response>;
}

/** A Durable Object namespace binding (`env.EXECUTIONS`): an object per name. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): DurableObjectStubLike;
}
