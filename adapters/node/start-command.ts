import { createRouter, defaultBodyLimit } from "../../src/http/router.js";
import { onePositional, parseCommandLine, parseCount } from "./cli-args.js";
import { CommandLineError, WorkflowFileError } from "./cli-errors.js";
import type { CliIo } from "./cli-io.js";
import { helpText } from "./help-text.js";
import { loadWorkflowsUnder } from "./load-workflows.js";
import { listen } from "./node-server.js";
import { nodeDashboard } from "./dashboard-files.js";
import { logRequests, type LogFormat } from "./request-log.js";
import { storeName, storeUrlOf } from "./node-store.js";
import { commandEngine } from "./open-store.js";

/** Sleeps longer than this (ms) suspend the execution instead of holding a request; the server wakes them. */
export const serverHoldsSleepsUpTo = 10_000;
/** How long a stop waits for running steps to finish, by default (ms). */
export const defaultGrace = 10_000;
/** How long a stop then waits for the last answers to reach their clients before closing their connections (ms). */
const answerGrace = 2_000;

/**
 * `flux start PATH`: serves the workflows exported by the files under PATH over HTTP (the
 * router of `flux-ts/hono`) on the default SQLite store (or the store of `--store` /
 * `FLUX_STORE_URL`: several `flux start` on one PostgreSQL database share the work), until SIGINT or SIGTERM. Its dispatcher
 * wakes what comes due (durable sleeps longer than 10 s, parents whose subworkflow finished,
 * executions whose runner died, this server's own or another's on the same file), also after a
 * restart. At start, executions a stopped process left running are recovered at once. A stop is
 * graceful: no new work is taken (503), running steps finish and commit within `--grace` ms,
 * the rest is suspended with its lease given up (a restart carries it on at once), every request
 * in flight gets its answer, and only then the store is closed.
 */
export async function startCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const parsed = parseCommandLine("start", argv, {
    host: { type: "string" },
    port: { type: "string" },
    "body-limit": { type: "string" },
    grace: { type: "string" },
    recover: { type: "boolean" },
    "no-dashboard": { type: "boolean" },
    log: { type: "string" },
    store: { type: "string" },
  });
  const { values } = parsed;
  if (values["help"] === true) {
    io.stdout.write(helpText.start);
    return 0;
  }
  const path = onePositional(parsed, "start", "PATH", "flux start needs a PATH: the file or folder of your workflows, e.g. flux start examples");
  const host = (values["host"] as string | undefined) ?? "127.0.0.1";
  const port = parsePort(values["port"]);
  const bodyLimit = parseCount(values["body-limit"], "--body-limit", "start") ?? defaultBodyLimit;
  const grace = parseCount(values["grace"], "--grace", "start") ?? defaultGrace;
  const log = parseLogFormat(values["log"]);

  const { workflows, files, schedules } = await loadWorkflowsUnder(path, io.cwd);
  if (workflows.length === 0) {
    throw new WorkflowFileError(`the ${files.length} file(s) under ${path} export no workflow: export one, e.g. export const hello = workflow("hello", async (ctx) => ...)`);
  }
  const url = storeUrlOf(values["store"], io.env);
  const engine = commandEngine(url, { workflows, schedules, holdSleepsUpTo: serverHoldsSleepsUpTo });
  const token = io.env["FLUX_API_TOKEN"];
  const dashboard = values["no-dashboard"] === true ? undefined : nodeDashboard();
  const stopping = new AbortController();
  const app = createRouter(engine, { bodyLimit, signal: stopping.signal, ...(token ? { token } : {}), ...(dashboard === undefined ? {} : { dashboard }) });
  let server;
  try {
    server = await listen(logRequests(app.fetch, log, (line) => io.stdout.write(line)), host, port);
  } catch (error) {
    await engine.close();
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE") throw new CommandLineError(`port ${port} on ${host} is in use: stop what uses it, or pick another with --port`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new CommandLineError(`cannot listen on ${host}: give an address of this machine with --host`);
    throw error;
  }

  // Executions a stopped process left running (lease lapsed) are replayed to their end at once,
  // parents with their children in one pass; from then on the dispatcher wakes what comes due.
  engine.recover().then(({ recovered }) => {
    if (recovered.length > 0) io.stdout.write(`flux: recovered ${recovered.length} execution(s) left running by a stopped process: ${recovered.join(", ")}\n`);
  }, (error: unknown) => io.stderr.write(`flux: recovering executions failed: ${String(error)}\n`)).finally(() => engine.startDispatcher());

  const names = workflows.map((workflow) => workflow.name);
  io.stdout.write(`flux: serving ${names.length} workflow(s) from ${path} on ${server.url}\n`);
  io.stdout.write(`  ${names.map((name) => `POST /${name}`).join("\n  ")}\n  GET /inspect/{execution_id}, GET /workflows, GET /executions, GET /health, GET /openapi.json\n`);
  if (dashboard !== undefined) io.stdout.write(`  dashboard: ${server.url}/${token ? " (it asks for the token)" : ""}\n`);
  else if (values["no-dashboard"] !== true) io.stdout.write("  dashboard: not built in this copy of flux-ts (npm run build builds it)\n");
  for (const status of engine.schedules) {
    io.stdout.write(`  schedule ${status.name}: ${status.workflow}, ${status.description}${status.next === undefined ? "" : `, next ${new Date(status.next).toISOString()}`}\n`);
  }
  io.stdout.write(`  store: ${url === undefined ? `.flux/flux.db under ${io.cwd}` : storeName(url)}${token ? "; bearer token required (FLUX_API_TOKEN)" : ""}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
  });
  io.stdout.write(`flux: stopping: no new work; running steps have ${grace} ms to finish\n`);
  stopping.abort(); // live event streams end; their clients reconnect to the next server
  const closed = server.close(answerGrace + grace);
  await engine.close({ grace });
  await closed;
  io.stdout.write("flux: stopped\n");
  return 0;
}

function parseLogFormat(value: string | boolean | undefined): LogFormat {
  if (value === undefined) return "text";
  if (value === "text" || value === "json" || value === "off") return value;
  throw new CommandLineError(`--log needs text (a line per request, the default), json (a JSON object per line) or off, not ${JSON.stringify(value)}`);
}

function parsePort(value: string | boolean | undefined): number {
  if (value === undefined) return 8000;
  const port = Number(value);
  if (typeof value !== "string" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommandLineError(`--port needs a port number from 0 to 65535, not ${JSON.stringify(value)}`);
  }
  return port;
}
