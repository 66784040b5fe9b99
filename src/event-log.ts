import { UsageError } from "./errors.js";
import { ExecutionEventType as T, type ExecutionEvent, type ExecutionEventType } from "./events.js";
import { ChunkTexts } from "./chunk-texts.js";
import { decodeValue } from "./serialization.js";

/**
 * @internal An execution's events as compact columns, per chunk of 4,096: types, times, names
 * and step ids as numbers, values as their JSON text (short ones as UTF-16 units in one buffer,
 * see `ChunkTexts`) decoded only when read, values over `keepLimit` characters (the engine's
 * `releaseValuesOver`, default none) not kept at all. `view` is the `readonly ExecutionEvent[]`
 * users see (`ctx.events`): a live array whose elements are decoded on access, so a history of
 * 100,000 steps costs about 25 bytes an event outside the heap, not objects and strings in it.
 */
export class EventLog {
  #length = 0;
  // Columns per chunk of CHUNK events, no object per event and no large array copied as the log
  // grows: a type is one byte, a time eight, a name a code into `#nameList`, a source id a step
  // number (most are "1", "2", …) or -1 for the execution's own id or -2 for another id (kept in
  // `#otherSources`), a value its JSON text (or its length, a number, once released).
  readonly #chunks: Chunk[] = [];
  readonly #otherSources = new Map<number, string>();
  readonly #nameList: string[] = [];
  readonly #nameIndex = new Map<string, number>();
  /** The proxy's target: an empty array, so that the view is an array (`Array.isArray`, its methods). */
  readonly #target: ExecutionEvent[] = [];
  #view: readonly ExecutionEvent[] | undefined;

  constructor(
    /** The execution's id: the source id of its own (`WORKFLOW_*`) events. */
    readonly executionId: string,
    readonly keepLimit = Number.POSITIVE_INFINITY,
  ) {}

  get length(): number {
    return this.#length;
  }

  /** Appends an event whose value is recorded as `text` (with id `this.length`). */
  push(type: ExecutionEventType, sourceId: string, name: string, text: string, time: number): void {
    let code = this.#nameIndex.get(name);
    if (code === undefined) {
      code = this.#nameList.push(name) - 1;
      this.#nameIndex.set(name, code);
    }
    const id = this.#length;
    const slot = id & (CHUNK - 1);
    if (slot === 0 && this.#chunks.length === id >>> CHUNK_BITS) this.#chunks.push(newChunk());
    const chunk = this.#chunks[id >>> CHUNK_BITS]!;
    chunk.types[slot] = typeCodes.get(type)!;
    chunk.times[slot] = time;
    const step = stepNumber(sourceId);
    chunk.sources[slot] = step ?? (sourceId === this.executionId ? -1 : -2);
    if (step === undefined && sourceId !== this.executionId) this.#otherSources.set(id, sourceId);
    chunk.names[slot] = code;
    chunk.values.push(text, text.length > this.keepLimit);
    this.#length = id + 1;
  }

  /** Keeps the first `length` events only (a refused commit left the log there). */
  truncate(length: number): void {
    if (length >= this.#length) return;
    for (let id = length; id < this.#length; id++) this.#otherSources.delete(id);
    this.#length = length;
    this.#chunks.length = (length + CHUNK - 1) >>> CHUNK_BITS;
    const last = this.#chunks.at(-1);
    if (last !== undefined) last.values.truncate(length - ((this.#chunks.length - 1) << CHUNK_BITS));
  }

  /** Event `id`'s type (`id` must be below `length`). */
  typeAt(id: number): ExecutionEventType {
    return types[this.#chunk(id).types[id & (CHUNK - 1)]!]!;
  }

  /** Event `id`'s source id. */
  sourceIdAt(id: number): string {
    const step = this.#chunk(id).sources[id & (CHUNK - 1)]!;
    return step > 0 ? String(step) : step === -1 ? this.executionId : this.#otherSources.get(id)!;
  }

  /** Event `id`'s name. */
  nameAt(id: number): string {
    return this.#nameList[this.#chunk(id).names[id & (CHUNK - 1)]!]!;
  }

  /** Event `id`'s time. */
  timeAt(id: number): number {
    return this.#chunk(id).times[id & (CHUNK - 1)]!;
  }

  /** Event `id`'s value as recorded (JSON text), or `undefined` when it was released (over `keepLimit`). */
  textAt(id: number): string | undefined {
    const value = this.#chunk(id).values.at(id & (CHUNK - 1));
    return typeof value === "string" ? value : undefined;
  }

  /** Event `id`, decoded now (a new object on each call); `undefined` past the end. */
  at(id: number): ExecutionEvent | undefined {
    if (!(id < this.#length)) return undefined;
    const type = this.typeAt(id);
    const sourceId = this.sourceIdAt(id);
    const name = this.nameAt(id);
    const time = this.timeAt(id);
    const value = this.#chunk(id).values.at(id & (CHUNK - 1))!;
    if (typeof value === "string") return { id, type, sourceId, name, value: decodeValue(value), time };
    const released = { id, type, sourceId, name, time } as ExecutionEvent;
    const limit = this.keepLimit;
    Object.defineProperty(released, "value", {
      enumerable: true,
      get() {
        throw new UsageError(`the value of event ${id} (${type} of "${name}", ${value} characters) is not kept in memory by a running execution (the engine's releaseValuesOver: values over ${limit} characters are released once recorded): read it with engine.inspect(executionId) or GET /inspect/{id}`);
      },
    });
    return released;
  }

  /** The events as a read-only array, decoded on access; it grows as the log does. */
  get view(): readonly ExecutionEvent[] {
    return (this.#view ??= new Proxy(this.#target, {
      get: (target, key, receiver) => {
        if (key === "length") return this.#length;
        const id = indexOf(key);
        return id === undefined ? Reflect.get(target, key, receiver) : this.at(id);
      },
      has: (target, key) => {
        const id = indexOf(key);
        return id === undefined ? Reflect.has(target, key) : id < this.#length;
      },
      getOwnPropertyDescriptor: (target, key) => {
        const id = indexOf(key);
        if (key === "length") return { value: this.#length, writable: true, enumerable: false, configurable: false };
        if (id === undefined) return Reflect.getOwnPropertyDescriptor(target, key);
        return id < this.#length ? { value: this.at(id), writable: false, enumerable: true, configurable: true } : undefined;
      },
      ownKeys: (target) => [...Array.from({ length: this.#length }, (_, i) => String(i)), ...Reflect.ownKeys(target)],
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    }));
  }

  #chunk(id: number): Chunk {
    return this.#chunks[id >>> CHUNK_BITS]!;
  }
}

const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** The columns of CHUNK consecutive events. */
interface Chunk {
  readonly types: Uint8Array;
  readonly times: Float64Array;
  readonly sources: Int32Array;
  readonly names: Uint32Array;
  readonly values: ChunkTexts;
}

function newChunk(): Chunk {
  return { types: new Uint8Array(CHUNK), times: new Float64Array(CHUNK), sources: new Int32Array(CHUNK), names: new Uint32Array(CHUNK), values: new ChunkTexts(CHUNK) };
}

/** The event types by their one-byte code in the log. */
const types: readonly ExecutionEventType[] = Object.values(T);
const typeCodes = new Map(types.map((type, code) => [type, code]));

/**
 * The step number `sourceId` spells ("12" -> 12), or `undefined` when it is not a plain step
 * number that reads back the same (a nested "3.1", a branch "2~0.1", an execution id).
 */
export function stepNumber(sourceId: string): number | undefined {
  const length = sourceId.length;
  if (length === 0 || length > 9) return undefined;
  const first = sourceId.charCodeAt(0);
  if (!(first >= 49 && first <= 57)) return undefined;
  for (let i = 1; i < length; i++) {
    const code = sourceId.charCodeAt(i);
    if (!(code >= 48 && code <= 57)) return undefined;
  }
  return Number(sourceId);
}

/** The array index `key` names, or `undefined` when it names something else (`length`, a method). */
function indexOf(key: string | symbol): number | undefined {
  if (typeof key !== "string") return undefined;
  const code = key.charCodeAt(0);
  if (!(code >= 48 && code <= 57)) return undefined;
  const id = Number(key);
  return Number.isInteger(id) && String(id) === key ? id : undefined;
}
