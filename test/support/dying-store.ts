import { StoreError, type StateStore } from "flux-ts";

/**
 * A store handle that "dies" when told to: from then on every write (commit, lease, delivered
 * event, cancellation asked for, cache entry) it passes on
 * fails, as if its process had been killed, while reads still work. What another handle on the
 * same store sees is what a second process would after the first one died.
 */
export class DyingStore implements StateStore {
  dead = false;
  /** Queue admission (a write), when the inner store has it. */
  readonly admit: StateStore["admit"];
  constructor(readonly inner: StateStore) {
    const admit = inner.admit?.bind(inner);
    this.admit = admit === undefined ? undefined : (...args) => this.#write(() => admit(...args));
  }
  #write<T>(run: () => Promise<T>): Promise<T> {
    return this.dead ? Promise.reject(new StoreError("the process is gone")) : run();
  }
  commit: StateStore["commit"] = (...args) => this.#write(() => this.inner.commit(...args));
  commitBatch: StateStore["commitBatch"] = (...args) => this.#write(() => this.inner.commitBatch(...args));
  lease: StateStore["lease"] = (...args) => this.#write(() => this.inner.lease(...args));
  setCached: StateStore["setCached"] = (...args) => this.#write(() => this.inner.setCached(...args));
  deliver: StateStore["deliver"] = (...args) => this.#write(() => this.inner.deliver(...args));
  requestCancel: StateStore["requestCancel"] = (...args) => this.#write(() => this.inner.requestCancel(...args));
  pending: StateStore["pending"] = (...args) => this.inner.pending(...args);
  load: StateStore["load"] = (...args) => this.inner.load(...args);
  get: StateStore["get"] = (...args) => this.inner.get(...args);
  list: StateStore["list"] = (...args) => this.inner.list(...args);
  due: StateStore["due"] = (...args) => this.inner.due(...args);
  getCached: StateStore["getCached"] = (...args) => this.inner.getCached(...args);
  close: StateStore["close"] = () => Promise.resolve();
}
