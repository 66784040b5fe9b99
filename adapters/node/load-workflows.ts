import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Workflow } from "../../src/workflow.js";
import type { ScheduleDefinition } from "../../src/schedule-definition.js";
import { WorkflowFileError } from "./cli-errors.js";
import { commonJsHint } from "./commonjs-hint.js";
import { prepareToLoad, typeScriptLoader } from "./module-loader.js";

type AnyWorkflow = Workflow<unknown, unknown>;

/** The workflows a file exports, by workflow name, with the names they are exported under. */
export interface WorkflowFile {
  /** The file's absolute path. */
  readonly path: string;
  /** As given on the command line (for messages). */
  readonly shown: string;
  readonly workflows: ReadonlyMap<string, { readonly workflow: AnyWorkflow; readonly exports: readonly string[] }>;
  /** Every export of the module, by export name. */
  readonly exports: Readonly<Record<string, unknown>>;
}

const loadable = new Set([".ts", ".mts", ".js", ".mjs", ".tsx", ".jsx"]);

/**
 * Imports `file` (TypeScript or JavaScript, relative to `cwd`) and collects every export that
 * is a `Workflow`. Throws `WorkflowFileError` saying what to fix when the file is missing or
 * fails to load.
 */
export async function loadWorkflowFile(file: string, cwd: string): Promise<WorkflowFile> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new WorkflowFileError(`no file ${file} (looked for ${path}): check the path, relative to ${cwd}`);
  if (statSync(path).isDirectory()) throw new WorkflowFileError(`${file} is a directory: give the workflow file, e.g. ${join(file, "hello_world.ts")}`);
  if (!loadable.has(extname(path))) throw new WorkflowFileError(`${file} is not a JavaScript or TypeScript file: workflow files end in ${[...loadable].join(", ")}`);
  await prepareToLoad([path], () => file);
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(path).href) as Record<string, unknown>;
  } catch (error) {
    throw new WorkflowFileError(`cannot load ${file}: ${messageOf(error).replace(/\.+$/, "")}${loadHint(error, path)}`, { cause: error });
  }
  const workflows = new Map<string, { workflow: AnyWorkflow; exports: string[] }>();
  for (const [name, value] of Object.entries(module)) {
    if (!(value instanceof Workflow)) continue;
    const workflow = value as AnyWorkflow;
    const known = workflows.get(workflow.name);
    if (known !== undefined && known.workflow !== workflow) {
      throw new WorkflowFileError(`${file} exports two different workflows named "${workflow.name}" (${known.exports[0]} and ${name}): rename one`);
    }
    if (known === undefined) workflows.set(workflow.name, { workflow, exports: [name] });
    else known.exports.push(name);
  }
  return { path, shown: file, workflows, exports: module };
}

/**
 * The workflow `wanted` of `file`: by workflow name (`hello_world`) or by export name
 * (`helloWorld`). Throws `WorkflowFileError` listing what the file does export otherwise.
 */
export function findWorkflow(file: WorkflowFile, wanted: string): AnyWorkflow {
  const byName = file.workflows.get(wanted);
  if (byName !== undefined) return byName.workflow;
  const exported = Object.hasOwn(file.exports, wanted) ? file.exports[wanted] : undefined;
  if (exported instanceof Workflow) return exported as AnyWorkflow;
  if (exported !== undefined) {
    const fix = (exported as { kind?: unknown } | null)?.kind === "task"
      ? `run it from a workflow, e.g. export const main = workflow("main", async (ctx) => ctx.run(${wanted}, ctx.input))`
      : `define it with workflow("${wanted}", async (ctx) => ...)`;
    throw new WorkflowFileError(`the export ${wanted} of ${file.shown} is ${describe(exported)}, not a workflow: ${fix}${foreignHint(exported, file.path)}`);
  }
  const available = [...file.workflows].map(([name, entry]) => (entry.exports.includes(name) ? name : `${name} (export ${entry.exports.join(", ")})`));
  if (available.length === 0) {
    const foreign = Object.values(file.exports).map((value) => foreignHint(value, file.path)).find((hint) => hint !== "") ?? "";
    throw new WorkflowFileError(`${file.shown} exports no workflow: export one, e.g. export const hello = workflow("hello", async (ctx) => ...)${foreign}`);
  }
  throw new WorkflowFileError(`${file.shown} has no workflow named ${wanted}: it exports ${available.join(", ")}`);
}

/**
 * Loads every workflow file under `path` (a file, or a directory searched recursively, leaving
 * out node_modules, dot-directories, tests and declaration files) and returns their workflows.
 * Throws `WorkflowFileError` when two files export different workflows of the same name.
 */
export async function loadWorkflowsUnder(path: string, cwd: string): Promise<{ files: WorkflowFile[]; workflows: AnyWorkflow[]; schedules: ScheduleDefinition[] }> {
  const root = resolve(cwd, path);
  if (!existsSync(root)) throw new WorkflowFileError(`no file or directory ${path} (looked for ${root}): give the folder of your workflow files`);
  const paths = statSync(root).isDirectory() ? workflowFilesIn(root) : [root];
  await prepareToLoad(paths, (file) => relative(cwd, file) || file);
  const files: WorkflowFile[] = [];
  const byName = new Map<string, { workflow: AnyWorkflow; file: string }>();
  for (const file of paths) {
    const loaded = await loadWorkflowFile(relative(cwd, file) || file, cwd);
    files.push(loaded);
    for (const [name, { workflow }] of loaded.workflows) {
      const known = byName.get(name);
      if (known !== undefined && known.workflow !== workflow) {
        throw new WorkflowFileError(`two workflows are named "${name}", in ${known.file} and ${loaded.shown}: rename one`);
      }
      byName.set(name, { workflow, file: loaded.shown });
    }
  }
  return { files, workflows: [...byName.values()].map((entry) => entry.workflow), schedules: schedulesOf(files) };
}

/** The schedules (`schedule()` of flux-ts/schedules) the files export; two of one name must be the same. */
function schedulesOf(files: readonly WorkflowFile[]): ScheduleDefinition[] {
  const byName = new Map<string, { schedule: ScheduleDefinition; file: string }>();
  for (const file of files) {
    for (const value of Object.values(file.exports)) {
      if ((value as { kind?: unknown } | null)?.kind !== "schedule") continue;
      const schedule = value as ScheduleDefinition;
      const known = byName.get(schedule.name);
      if (known !== undefined && known.schedule !== schedule) {
        throw new WorkflowFileError(`two schedules are named "${schedule.name}", in ${known.file} and ${file.shown}: give one a name (schedule(wf, { name }))`);
      }
      byName.set(schedule.name, { schedule, file: file.shown });
    }
  }
  return [...byName.values()].map((entry) => entry.schedule);
}

function workflowFilesIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...workflowFilesIn(path));
    else if (loadable.has(extname(entry.name)) && !/\.(?:test|spec|d)\.[cm]?[jt]sx?$/.test(entry.name)) found.push(path);
  }
  return found;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function loadHint(error: unknown, path: string): string {
  const message = messageOf(error);
  if (/Cannot find (?:package|module) 'flux-ts'/.test(message)) return ". Install flux-ts where the file is: npm install flux-ts";
  if (/require is not defined|module is not defined|exports is not defined/.test(message)) {
    return ". flux loads workflow files as ES modules: use import and export, not require and module.exports";
  }
  const commonjs = commonJsHint(path);
  if (commonjs !== "") return commonjs;
  const loader = typeScriptLoader();
  const unknown = /Unknown file extension "(\.[^"]+)"/.exec(message)?.[1];
  if (loader === "sucrase" && unknown !== undefined && /^\.(?:tsx|jsx|cts)$/.test(unknown)) {
    return `. It imports a ${unknown} file, which flux's TypeScript loader (sucrase) does not load: load the files with tsx (npm install --save-dev tsx, then FLUX_TS_LOADER=tsx)`;
  }
  if (unknown !== undefined && /^\.(?:ts|mts|cts|tsx)$/.test(unknown)) {
    return loader === undefined
      ? `. It imports a ${unknown} file: flux loads TypeScript when the workflow file itself is TypeScript (.ts, .mts), with sucrase or tsx installed where flux-ts is (npm install --save-dev sucrase)`
      : `. It imports a ${unknown} file that Node cannot run here`;
  }
  if (loader === "sucrase" && error instanceof SyntaxError) return decoratorHint(path);
  return "";
}

/** A hint when the file at `path` uses decorators, which sucrase leaves in and Node (20 to 24) cannot parse. */
function decoratorHint(path: string): string {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  const decorator = /^[ \t]*(@[A-Za-z_$][\w$.]*)/m.exec(source);
  if (decorator === null) return "";
  const line = source.slice(0, decorator.index).split("\n").length;
  return `. It uses decorators (${decorator[1]}, line ${line}), which flux's TypeScript loader (sucrase) leaves to Node, and Node cannot run them: `
    + "load the file with tsx (npm install --save-dev tsx, then FLUX_TS_LOADER=tsx), or do without decorators";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `a function (${value.name || "anonymous"})`;
  if (typeof value === "object") return (value as { kind?: unknown }).kind === "task" ? "a task" : `an object`;
  return `a ${typeof value}`;
}

/** A hint when `value` looks like a Workflow from another copy of flux-ts (so instanceof fails). */
function foreignHint(value: unknown, path: string): string {
  const looksLike = typeof value === "object" && value !== null && value.constructor?.name === "Workflow" && typeof (value as { run?: unknown }).run === "function";
  if (!looksLike) return "";
  return commonJsHint(path)
    || ". It is a Workflow of another copy of flux-ts: make the file import flux-ts from the same installation as the flux command (npx flux, or one flux-ts in node_modules)";
}
