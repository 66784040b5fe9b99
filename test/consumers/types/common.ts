// Every environment-neutral entry of flux-ts, used as a user would, checked with the consumer's
// strictest settings (see test/package.test.ts). No Node, DOM or Workers types are named here.
import {
  Engine, ExecutionError, FluxError, Graph, MemoryStore, NonDeterminismError, task, workflow,
  type ExecutionEvent, type StateStore, type TaskContext, type WorkflowExecutionContext,
} from "flux-ts";
import { createRouter, type RouterOptions } from "flux-ts/hono";
import { D1Store, type D1DatabaseLike } from "flux-ts/adapters/d1";
import { MissingDependencyError, openSqlJsStore, type SqlJsStoreOptions } from "flux-ts/adapters/sql-js";
import { openSqliteStore, SqliteStore } from "flux-ts/adapters/sqlite";
import { SqlStore, type SqlDriver } from "flux-ts/adapters/sql";
import { createWorker, type WorkerEnv } from "flux-ts/worker";

export const sayHello = task("say_hello", async (name: string) => `Hello, ${name}`);
export const charge = task({ name: "charge", retry: { maxAttempts: 3, delay: 10, backoff: 2 }, timeout: 1000 }, async (amount: number) => amount);
export const nested = task.withContext({ name: "nested", secrets: ["API_KEY"] }, async (tc: TaskContext, n: number) => {
  tc.progress(0.5);
  const key: string | undefined = tc.secrets["API_KEY"];
  return (await tc.run(charge, n)) + (key === undefined ? 0 : 1);
});

export const helloWorld = workflow("hello_world", async (ctx: WorkflowExecutionContext<string>) => {
  const greeting: string = await ctx.run(sayHello, ctx.input);
  const paid: number = await ctx.run(nested, 42);
  const approved = await ctx.pause<boolean>("approval");
  const graph = new Graph<string, string>("g").addNode("hello", sayHello).startWith("hello").endWith("hello");
  const viaGraph: string = await ctx.run(graph, "x");
  return { greeting, paid, approved, viaGraph, at: await ctx.now() };
});

export async function useTheCore(store: StateStore = new MemoryStore()): Promise<string> {
  const engine = new Engine({ store, holdSleepsUpTo: 1000, workflows: [helloWorld] });
  const ctx = await helloWorld.run("World", { engine });
  const events: readonly ExecutionEvent[] = ctx.events;
  if (ctx.output instanceof ExecutionError) return ctx.output.code;
  const error: FluxError = new NonDeterminismError("x");
  return `${events.length} ${error.code} ${ctx.output?.greeting ?? ""}`;
}

export function useTheAdapters(db: D1DatabaseLike, driver: SqlDriver): unknown[] {
  const options: RouterOptions = { token: "secret", bodyLimit: 1024 };
  const app = createRouter(new Engine({ store: new D1Store(db) }), options);
  const sqlJs: SqlJsStoreOptions = { name: "x.db", locateFile: (file) => `/assets/${file}` };
  const worker = createWorker({ workflows: [helloWorld] });
  const env: WorkerEnv = { DB: db, FLUX_API_TOKEN: "t" };
  const missing = new MissingDependencyError("x", "y");
  return [app.fetch, openSqlJsStore(sqlJs), openSqliteStore, SqliteStore, new SqlStore(driver), worker.servedFor(env), missing.dependency];
}
