/**
 * The part of a Cloudflare D1 prepared statement that the D1 store uses. A real
 * `D1PreparedStatement` (from `env.DB.prepare(...)`) is one; no Cloudflare package is needed.
 */
export interface D1PreparedStatementLike {
  /** A copy of the statement with its `?` parameters bound, in order. */
  bind(...values: unknown[]): D1PreparedStatementLike;
  /** Runs the statement and resolves to its rows. */
  all<Row = Record<string, unknown>>(): Promise<{ results: Row[] }>;
}

/**
 * The part of a Cloudflare `D1Database` binding that the D1 store uses: `prepare`, and `batch`,
 * which D1 runs as one atomic transaction (all statements or none) and resolves to each
 * statement's result (`{ results: rows }`). `env.DB` is one.
 */
export interface D1DatabaseLike {
  prepare(query: string): D1PreparedStatementLike;
  batch(statements: D1PreparedStatementLike[]): Promise<unknown[]>;
}
