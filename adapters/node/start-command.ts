import { setDefaultEngine } from "../../src/default-engine.js";
import { createRouter, defaultBodyLimit } from "../../src/http/router.js";
import { onePositional, parseCommandLine, parseCount } from "./cli-args.js";
import { CommandLineError, WorkflowFileError } from "./cli-errors.js";
import type { CliIo } from "./cli-io.js";
import { createNodeEngine } from "./default-node-engine.js";
import { helpText } from "./help-text.js";
import { loadWorkflowsUnder } from "./load-workflows.js";
import { listen } from "./node-server.js";

/** Sleeps longer than this (ms) suspend the execution instead of holding a request; the server wakes them. */
export const serverHoldsSleepsUpTo = 10_000;
/** How often the server looks for suspended sleeps that are due, in ms. */
export const wakeInterval = 1_000;
/** With `--recover`, how often the server looks for executions a stopped process left running, in ms. */
export const recoverInterval = 5_000;

/**
 * `flux start PATH`: serves the workflows exported by the files under PATH over HTTP (the
 * router of `flux-ts/hono`) on the default SQLite store, until SIGINT or SIGTERM. Durable
 * sleeps longer than 10 s suspend and are woken by the server, also after a restart; at start,
 * executions that a stopped process left running are recovered (`engine.recover()`), and with
 * `--recover` every 5 s too (those of other processes sharing the file that stopped meanwhile).
 */
export async function startCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const parsed = parseCommandLine("start", argv, {
    host: { type: "string" },
    port: { type: "string" },
    "body-limit": { type: "string" },
    recover: { type: "boolean" },
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

  const { workflows, files } = await loadWorkflowsUnder(path, io.cwd);
  if (workflows.length === 0) {
    throw new WorkflowFileError(`the ${files.length} file(s) under ${path} export no workflow: export one, e.g. export const hello = workflow("hello", async (ctx) => ...)`);
  }
  const engine = createNodeEngine({ workflows, holdSleepsUpTo: serverHoldsSleepsUpTo });
  setDefaultEngine(engine);
  const token = io.env["FLUX_API_TOKEN"];
  const app = createRouter(engine, { bodyLimit, ...(token ? { token } : {}) });
  let server;
  try {
    server = await listen(app.fetch, host, port);
  } catch (error) {
    await engine.close();
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE") throw new CommandLineError(`port ${port} on ${host} is in use: stop what uses it, or pick another with --port`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new CommandLineError(`cannot listen on ${host}: give an address of this machine with --host`);
    throw error;
  }

  let waking = false;
  const wake = () => {
    if (waking) return;
    waking = true;
    engine.wakeDue().catch((error: unknown) => io.stderr.write(`flux: waking due sleeps failed: ${String(error)}\n`)).finally(() => { waking = false; });
  };
  wake();
  const timer = setInterval(wake, wakeInterval);
  // Executions a stopped process left running (no progress for a lease TTL, lease free) are
  // replayed to their end: at start, and with --recover periodically (recover() skips the
  // executions this engine runs itself, and those another live runner leases).
  let recovering = false;
  const recover = () => {
    if (recovering) return;
    recovering = true;
    engine.recover().then(({ recovered }) => {
      if (recovered.length > 0) io.stdout.write(`flux: recovered ${recovered.length} execution(s) left running by a stopped process: ${recovered.join(", ")}\n`);
    }, (error: unknown) => io.stderr.write(`flux: recovering executions failed: ${String(error)}\n`)).finally(() => { recovering = false; });
  };
  recover();
  const recoverTimer = values["recover"] === true ? setInterval(recover, recoverInterval) : undefined;

  const names = workflows.map((workflow) => workflow.name);
  io.stdout.write(`flux: serving ${names.length} workflow(s) from ${path} on ${server.url}\n`);
  io.stdout.write(`  ${names.map((name) => `POST /${name}`).join("\n  ")}\n  GET /inspect/{execution_id}, GET /workflows\n`);
  io.stdout.write(`  store: .flux/flux.db under ${io.cwd}${token ? "; bearer token required (FLUX_API_TOKEN)" : ""}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
  });
  clearInterval(timer);
  clearInterval(recoverTimer);
  await server.close();
  await engine.close();
  io.stdout.write("flux: stopped\n");
  return 0;
}

function parsePort(value: string | boolean | undefined): number {
  if (value === undefined) return 8000;
  const port = Number(value);
  if (typeof value !== "string" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CommandLineError(`--port needs a port number from 0 to 65535, not ${JSON.stringify(value)}`);
  }
  return port;
}
