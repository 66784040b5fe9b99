import { describe, expect, test } from "vitest";
import { Engine, MemoryStore, decodeValue, encodeValue, task, workflow } from "flux-ts";

/** What a run saw must be what a replay returns: own keys, holes and the sign of zero included. */
function shape(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : value;
  if (Array.isArray(value)) return { length: value.length, items: Array.from(value.keys()).map((i) => (i in value ? shape(value[i]) : "<hole>")) };
  if (value !== null && typeof value === "object") {
    return { proto: Object.getPrototypeOf(value) === Object.prototype, own: Object.getOwnPropertyNames(value).map((key) => [key, shape((value as Record<string, unknown>)[key])]) };
  }
  return value;
}

const tricky = () => ({
  own: JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>,
  sparse: [1, , 3], // eslint-disable-line no-sparse-arrays
  negativeZero: -0,
  nested: [[, -0]], // eslint-disable-line no-sparse-arrays
  tag: { $flux: "hole" },
});

describe("values replay as they were recorded", () => {
  test("encode/decode keeps an own __proto__ key, array holes and -0, and pollutes nothing", () => {
    const value = tricky();
    const decoded = decodeValue(encodeValue(value));
    expect(shape(decoded)).toEqual(shape(value));
    expect(Object.hasOwn(decoded as object, "own")).toBe(true);
    expect(Object.hasOwn((decoded as { own: object }).own, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf((decoded as { own: object }).own)).toBe(Object.prototype);
  });

  test("a task's result is the same live and on replay", async () => {
    const make = task("make", async () => tricky());
    const seen: unknown[] = [];
    const wf = workflow("tricky_values", async (ctx) => {
      const value = await ctx.run(make);
      seen.push(shape(value));
      await ctx.pause("look");
      return null;
    });
    const engine = new Engine({ store: new MemoryStore() });
    const first = await wf.run(undefined, { engine });
    await wf.resume(first.executionId, undefined, { engine });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]).toEqual(shape(tricky()));
  });
});
