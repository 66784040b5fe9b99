/** The part of `localStorage` drafts use (a `Map`-backed one in tests). */
export type DraftStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * The editor's code per gallery example, kept across reloads: an edited example reopens as it
 * was left (an execution keeps the code it ran with apart, in the source store). A draft equal
 * to the example's own code is not kept. Without storage (private mode), nothing is kept.
 */
export class Drafts {
  readonly #storage: DraftStorage | undefined;

  constructor(storage: DraftStorage | undefined, readonly prefix = "flux-playground-draft:") {
    this.#storage = storage;
  }

  /** The edited code of `exampleId`, if any. */
  get(exampleId: string): string | undefined {
    try {
      return this.#storage?.getItem(this.prefix + exampleId) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps `source` as `exampleId`'s code, or forgets it when it is the example's `original`. */
  set(exampleId: string, source: string, original: string): void {
    try {
      if (source === original) this.#storage?.removeItem(this.prefix + exampleId);
      else this.#storage?.setItem(this.prefix + exampleId, source);
    } catch {
      // Storage full or refused: the draft lives until the reload.
    }
  }
}
