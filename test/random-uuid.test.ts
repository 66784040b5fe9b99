import { afterEach, expect, test, vi } from "vitest";
import { Engine, randomUUID, workflow } from "flux-ts";

afterEach(() => vi.unstubAllGlobals());

test("without crypto.randomUUID (a page on plain http), ids are still random v4 UUIDs and the engine runs", async () => {
  const { getRandomValues } = globalThis.crypto;
  vi.stubGlobal("crypto", { getRandomValues: getRandomValues.bind(globalThis.crypto), subtle: globalThis.crypto.subtle });
  expect(typeof globalThis.crypto.randomUUID).toBe("undefined");
  const ids = new Set(Array.from({ length: 1_000 }, () => randomUUID()));
  expect(ids.size).toBe(1_000);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const ctx = await workflow("plain_http", async (c) => c.uuid4()).run(undefined, { engine: new Engine() });
  expect(ctx.executionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(ctx.output).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
});
