import { UsageError } from "./errors.js";
import { ExecutionEventType as T, type ExecutionEvent, type ExecutionEventType } from "./events.js";
import { decodeValue } from "./serialization.js";

/**
 * @internal An execution's events as compact records: names interned, values kept as their JSON
 * text and decoded only when read, values over `keepLimit` characters (the engine's `releaseValuesOver`, default none) not kept at all. `view` is
 * the `readonly ExecutionEvent[]` users see (`ctx.events`): a live array whose elements are
 * decoded on access, so a history of 100,000 steps costs a few small strings per event, not its
 * decoded values.
 */
export class EventLog {
  #length = 0;
  // One column per field: no object per event; a type is one byte, a time eight.
  #types = new Uint8Array(64);
  #times = new Float64Array(64);
  readonly #sourceIds: string[] = [];
  readonly #names: string[] = [];
  /** The JSON text of each value, or its length (a number) once released. */
  readonly #values: (string | number)[] = [];
  readonly #interned = new Map<string, string>();
  /** The proxy's target: an empty array, so that the view is an array (`Array.isArray`, its methods). */
  readonly #target: ExecutionEvent[] = [];
  #view: readonly ExecutionEvent[] | undefined;

  constructor(readonly keepLimit = Number.POSITIVE_INFINITY) {}

  get length(): number {
    return this.#length;
  }

  /**
   * Appends an event whose value is recorded as `text` (with id `this.length`). Pass `sourceId`
   * as a string already held elsewhere (the step's record's id) so that it is not kept twice.
   */
  push(type: ExecutionEventType, sourceId: string, name: string, text: string, time: number): void {
    let interned = this.#interned.get(name);
    if (interned === undefined) this.#interned.set(name, (interned = name));
    const id = this.#length;
    if (id === this.#types.length) this.#grow();
    this.#types[id] = typeCodes.get(type)!;
    this.#times[id] = time;
    this.#sourceIds[id] = sourceId;
    this.#names[id] = interned;
    this.#values[id] = text.length > this.keepLimit ? text.length : text;
    this.#length = id + 1;
  }

  /** Keeps the first `length` events only (a refused commit left the log there). */
  truncate(length: number): void {
    if (length >= this.#length) return;
    this.#length = length;
    for (const column of [this.#sourceIds, this.#names, this.#values]) column.length = length;
  }

  /** Event `id`, decoded now (a new object on each call); `undefined` past the end. */
  at(id: number): ExecutionEvent | undefined {
    if (!(id < this.#length)) return undefined;
    const type = types[this.#types[id]!]!;
    const sourceId = this.#sourceIds[id]!;
    const name = this.#names[id]!;
    const time = this.#times[id]!;
    const value = this.#values[id]!;
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

  #grow(): void {
    const types = new Uint8Array(this.#types.length * 2);
    types.set(this.#types);
    this.#types = types;
    const times = new Float64Array(this.#times.length * 2);
    times.set(this.#times);
    this.#times = times;
  }
}

/** The event types by their one-byte code in the log. */
const types: readonly ExecutionEventType[] = Object.values(T);
const typeCodes = new Map(types.map((type, code) => [type, code]));

/** The array index `key` names, or `undefined` when it names something else (`length`, a method). */
function indexOf(key: string | symbol): number | undefined {
  if (typeof key !== "string") return undefined;
  const code = key.charCodeAt(0);
  if (!(code >= 48 && code <= 57)) return undefined;
  const id = Number(key);
  return Number.isInteger(id) && String(id) === key ? id : undefined;
}
