/**
 * The parts of node-postgres (`pg`) the PostgreSQL store calls. Described here, as kysely does
 * for its drivers, so that flux-ts's types need neither `pg` nor `@types/pg`: a real `pg.Pool`
 * fits {@link PgPoolLike}, and the `pg` module fits {@link PgModuleLike}.
 */

/** What a query resolves to: its rows, column name to value (`pg`'s own parsing of types). */
export interface PgResultLike {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** A notification received on a connection that ran `LISTEN` (`pg`'s `Notification`). */
export interface PgNotificationLike {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/** One connection taken from the pool (`pg.PoolClient`): queries run on it in order. */
export interface PgClientLike {
  query(text: string, values?: readonly unknown[]): Promise<PgResultLike>;
  /** Gives the connection back; with an error (or `true`) it is closed instead of reused. */
  release(destroy?: Error | boolean): void;
  on(event: "notification", listener: (message: PgNotificationLike) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** A pool of connections (`pg.Pool`). */
export interface PgPoolLike {
  connect(): Promise<PgClientLike>;
  query(text: string, values?: readonly unknown[]): Promise<PgResultLike>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** How the store makes its pool (a subset of `pg.PoolConfig`). */
export interface PgPoolConfig {
  readonly connectionString: string;
  readonly max: number;
  readonly application_name: string;
  readonly idleTimeoutMillis?: number;
  readonly connectionTimeoutMillis?: number;
}

/** The `pg` module: its `Pool` class. */
export interface PgModuleLike {
  readonly Pool: new (config: PgPoolConfig) => PgPoolLike;
}
