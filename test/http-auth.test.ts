// Bearer-token auth of the HTTP API: with a token configured, every route and method answers 401
// without it (before reading the body, and with no effect on any execution), the comparison takes
// the same time wherever a guess goes wrong, and the token is never echoed.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { Engine, MemoryStore } from "../src/index.js";
import { createRouter, timingSafeEqual } from "../src/http/index.js";
import { helloWorld } from "../examples/hello_world.js";
import { pauseWorkflow } from "../examples/pause.js";

const token = "tok-2f9c1e7a5b3d4c6e8f0a1b2c3d4e5f60";

async function setup() {
  const store = new MemoryStore();
  const engine = new Engine({ store, workflows: [helloWorld, pauseWorkflow] });
  const paused = await pauseWorkflow.run(undefined, { engine });
  return { store, engine, pausedId: paused.executionId, app: createRouter(engine, { token, bodyLimit: 1000 }) };
}

describe("bearer-token auth", () => {
  it("answers 401 on every route and method without the right token, and changes nothing", async () => {
    const { store, pausedId, app } = await setup();
    const mounted = new Hono().route("/flux", app);
    const before = JSON.stringify(await store.list());
    const routes: [string, string][] = [
      ["POST", "/hello_world"], ["POST", "/hello_world?wait=false"], ["POST", "/hello_world?inspect=true"],
      ["POST", `/pause_workflow/${pausedId}`], ["GET", `/inspect/${pausedId}`], ["GET", "/workflows"],
      ["GET", "/"], ["GET", "/nope"], ["POST", "/nope"], ["PUT", "/hello_world"], ["DELETE", `/inspect/${pausedId}`],
      ["PATCH", "/workflows"], ["HEAD", "/workflows"], ["OPTIONS", "/hello_world"], ["GET", "/inspect/../workflows"],
    ];
    const refusals: Record<string, string>[] = [
      {}, { Authorization: "" }, { Authorization: "Bearer" }, { Authorization: "Bearer " }, { Authorization: token },
      { Authorization: `Basic ${btoa(`user:${token}`)}` }, { Authorization: `Bearer ${token.slice(0, -1)}` },
      { Authorization: `Bearer ${token.slice(0, -1)}1` }, { Authorization: `Bearer ${token}x` }, { Authorization: `Bearer ${token} ${token}` },
      { Authorization: `Bearer ${token.toUpperCase()}` }, { "X-Api-Key": token }, { Cookie: `token=${token}` },
    ];
    let checked = 0;
    for (const [method, path] of routes) {
      for (const headers of refusals) {
        for (const [target, prefix] of [[app, ""], [mounted, "/flux"]] as const) {
          const hasBody = method !== "GET" && method !== "HEAD";
          const res = await target.request(`${prefix}${path}`, { method, headers: { "Content-Type": "application/json", ...headers }, ...(hasBody ? { body: '"World"' } : {}) });
          expect(res.status, `${method} ${prefix}${path} with ${JSON.stringify(headers)}`).toBe(401);
          expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="flux"');
          if (method !== "HEAD") {
            const text = await res.text();
            expect(JSON.parse(text)).toMatchObject({ error: { code: "UNAUTHORIZED" } });
            expect(text).not.toContain(token.slice(4, 12));
          }
          checked += 1;
        }
      }
    }
    // Checked before the body is read: a body over the limit is a 401 too, not a 413.
    const huge = await app.request("/hello_world", { method: "POST", body: JSON.stringify("x".repeat(5000)) });
    expect(huge.status).toBe(401);
    expect(JSON.stringify(await store.list())).toBe(before);
    expect((await store.get(pausedId))?.state).toBe("paused");
    console.log(`auth: ${checked} requests without the right token (${routes.length} routes × ${refusals.length} headers, mounted and not): all 401, nothing run`);
  });

  it("lets the right token through on every route (the scheme is case-insensitive)", async () => {
    const { pausedId, app } = await setup();
    const auth = (scheme: string) => ({ Authorization: `${scheme} ${token}`, "Content-Type": "application/json" });
    expect((await app.request("/workflows", { headers: auth("Bearer") })).status).toBe(200);
    expect((await app.request(`/inspect/${pausedId}`, { headers: auth("bearer") })).status).toBe(200);
    expect((await app.request("/nope", { headers: auth("BEARER") })).status).toBe(404);
    const run = await app.request("/hello_world", { method: "POST", headers: auth("Bearer"), body: '"World"' });
    expect(await run.json()).toMatchObject({ output: "Hello, World" });
    const resumed = await app.request(`/pause_workflow/${pausedId}`, { method: "POST", headers: auth("Bearer"), body: '"ok"' });
    expect(await resumed.json()).toMatchObject({ state: "succeeded", output: "Data processed and ok" });
    expect((await app.request("/hello_world", { method: "POST", headers: auth("Bearer"), body: JSON.stringify("x".repeat(5000)) })).status).toBe(413);
  });

  it("compares in time that does not depend on how much of a guess is right", () => {
    const expected = `${"k".repeat(1 << 20)}`;
    const guesses = {
      "wrong at the first byte": `x${expected.slice(1)}`,
      "wrong at the last byte": `${expected.slice(0, -1)}x`,
      "right": expected,
    };
    const time = (given: string) => {
      const start = process.hrtime.bigint();
      timingSafeEqual(given, expected);
      return Number(process.hrtime.bigint() - start);
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(guesses).map((k) => [k, []]));
    for (let round = 0; round < 15; round++) for (const [name, guess] of Object.entries(guesses)) samples[name]!.push(time(guess));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const medians = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
    const [fastest, slowest] = [Math.min(...Object.values(medians)), Math.max(...Object.values(medians))];
    console.log(`timingSafeEqual on a 1 MiB token, median ns: ${JSON.stringify(medians)} (slowest/fastest ${(slowest / fastest).toFixed(2)})`);
    // An early-exit comparison would be ~1,000,000× faster for the first case than for the last.
    expect(slowest / fastest).toBeLessThan(3);
    expect(Object.entries(guesses).map(([, g]) => timingSafeEqual(g, expected))).toEqual([false, false, true]);
    expect(timingSafeEqual("", "")).toBe(true);
    expect(timingSafeEqual("é", "e\u0301")).toBe(false);
  });
});
