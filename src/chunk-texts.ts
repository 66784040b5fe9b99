/** Texts up to this many characters are kept as UTF-16 code units in the chunk's buffer; longer ones as strings. */
const INLINE_MAX = 256;

/**
 * @internal The value texts of one chunk of an execution's log, by slot: short ones (most of a
 * long history: `[12]`, `"ok"`, `null`) as UTF-16 code units in one growing buffer, outside the
 * JavaScript heap, so that a loaded log is a few buffers, not one small string per event that the
 * garbage collector must keep moving; long ones as strings; a released one (over the log's
 * `keepLimit`) as its length.
 */
export class ChunkTexts {
  #units = new Uint16Array(8192);
  #used = 0;
  /** Where each slot's units end in `#units` (a slot kept elsewhere ends where the previous one did). */
  readonly #ends: Int32Array;
  /** Slots whose text is long (a string) or released (its length). */
  #others: Map<number, string | number> | undefined;
  #length = 0;

  constructor(size: number) {
    this.#ends = new Int32Array(size);
  }

  /** Keeps `text` (or, when `released`, its length) at the next slot. */
  push(text: string, released: boolean): void {
    const slot = this.#length++;
    if (released || text.length > INLINE_MAX) {
      (this.#others ??= new Map()).set(slot, released ? text.length : text);
      this.#ends[slot] = this.#used;
      return;
    }
    const end = this.#used + text.length;
    if (end > this.#units.length) {
      const grown = new Uint16Array(Math.max(end, this.#units.length * 2));
      grown.set(this.#units.subarray(0, this.#used));
      this.#units = grown;
    }
    for (let i = 0; i < text.length; i++) this.#units[this.#used + i] = text.charCodeAt(i);
    this.#used = end;
    this.#ends[slot] = end;
  }

  /** The text at `slot` (a new string for a short one), or its length once released. */
  at(slot: number): string | number | undefined {
    if (slot >= this.#length) return undefined;
    const other = this.#others?.get(slot);
    if (other !== undefined) return other;
    const start = slot === 0 ? 0 : this.#ends[slot - 1]!;
    return String.fromCharCode.apply(null, this.#units.subarray(start, this.#ends[slot]!) as unknown as number[]);
  }

  /** Keeps the first `length` slots only. */
  truncate(length: number): void {
    if (length >= this.#length) return;
    this.#length = length;
    this.#used = length === 0 ? 0 : this.#ends[length - 1]!;
    if (this.#others !== undefined) for (const slot of [...this.#others.keys()]) if (slot >= length) this.#others.delete(slot);
  }
}
