/**
 * `flux-ts/adapters/d1`: the store for Cloudflare Workers, over a D1 binding. Depends on no
 * Cloudflare package: it needs only `prepare` and `batch` ({@link D1DatabaseLike}).
 *
 * @example
 * import { D1Store } from "flux-ts/adapters/d1";
 * const store = new D1Store(env.DB);
 */
export type { D1DatabaseLike, D1PreparedStatementLike } from "./d1-database-like.js";
export { D1Driver } from "./d1-driver.js";
export { D1Store, type D1StoreOptions } from "./d1-store.js";
