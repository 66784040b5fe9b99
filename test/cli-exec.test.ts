import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flux, fluxOnTerminal, repo, stdoutJson, userProject } from "./cli-support.js";

const hello = join(repo, "examples", "hello_world.ts");
const pause = join(repo, "examples", "pause.ts");

const userFiles = {
  // No package.json: a bare .ts file, with TypeScript-only syntax, importing the installed package.
  "greet.ts": `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";
interface Person { name: string; times?: number }
export const shout = task("shout", async (p: Person): Promise<string> => p.name.toUpperCase().repeat(p.times ?? 1));
export const greet = workflow("greet", async (ctx: WorkflowExecutionContext<Person | string>) =>
  typeof ctx.input === "string" ? \`text: \${ctx.input}\` : ctx.run(shout, ctx.input));
export const notAWorkflow = 42;
`,
  "js/package.json": `{ "type": "module" }`,
  "js/plain.js": `import { workflow } from "flux-ts";
export const plain = workflow("plain_js", async (ctx) => ({ got: ctx.input, at: await ctx.now() }));
`,
  "cjs.ts": `const { workflow } = require("flux-ts");\nmodule.exports.wf = workflow("cjs", async () => 1);\n`,
  "broken.ts": `export const x = ;\n`,
  // What npm init -y writes: the file loads as CommonJS and cannot share the CLI's flux-ts.
  "npm-init/package.json": `{ "name": "npm-init", "type": "commonjs" }`,
  "npm-init/hello.ts": `import { workflow } from "flux-ts";\nexport const hello = workflow("hello", async () => 1);\n`,
  "empty.ts": `export const nothing = 1;\n`,
};

describe("flux exec", () => {
  const cwd = userProject(userFiles);

  it("runs the seeds' hello_world in a fresh directory and prints the summary JSON (exit 0)", async () => {
    const ran = await flux(["exec", hello, "hello_world", "World"], cwd);
    expect(ran.stderr).toBe("");
    expect(ran.code).toBe(0);
    const out = stdoutJson(ran);
    expect(Object.keys(out)).toEqual(["execution_id", "name", "input", "output", "state"]);
    expect(out).toMatchObject({ name: "hello_world", input: "World", output: "Hello, World", state: "succeeded" });
    expect(existsSync(join(cwd, ".flux", "flux.db"))).toBe(true);
  });

  it("loads a user's .ts file without a build, finds a workflow by name or export, parses INPUT as JSON when it is JSON", async () => {
    const [byName, byExport, text, number] = await Promise.all([
      flux(["exec", "greet.ts", "greet", '{"name": "ab", "times": 2}'], cwd),
      flux(["exec", "greet.ts", "greet", "--", "plain words"], cwd),
      flux(["exec", "./greet.ts", "greet", '"{not json}"'], cwd),
      flux(["exec", "js/plain.js", "plain", "42"], cwd),
    ]);
    expect(stdoutJson(byName)).toMatchObject({ input: { name: "ab", times: 2 }, output: "ABAB", state: "succeeded" });
    expect(stdoutJson(byExport)).toMatchObject({ input: "plain words", output: "text: plain words" });
    expect(stdoutJson(text)).toMatchObject({ input: "{not json}" });
    const js = stdoutJson<{ name: string; output: { got: number; at: string } }>(number);
    expect(js.name).toBe("plain_js");
    expect(js.output.got).toBe(42);
    expect(js.output.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  });

  it("exits 1 for a failed execution, with the error in output", async () => {
    const ran = await flux(["exec", hello, "hello_world"], cwd);
    expect(ran.code).toBe(1);
    expect(stdoutJson(ran)).toMatchObject({ state: "failed", output: { name: "ExecutionError", cause: { name: "TypeError", message: "Input not provided" } } });
  });

  it("exits 3 when paused; --execution-id with --resume-with resumes it; --inspect, inspect and list read it", async () => {
    const paused = await flux(["exec", pause, "pause_workflow"], cwd);
    expect(paused.code).toBe(3);
    const id = stdoutJson<{ execution_id: string; state: string }>(paused).execution_id;
    expect(stdoutJson(paused).state).toBe("paused");

    const listed = stdoutJson<{ executions: { execution_id: string; workflow: string; state: string }[] }>(await flux(["list", "--state", "paused"], cwd));
    expect(listed.executions.map((e) => e.execution_id)).toContain(id);
    expect(listed.executions.every((e) => e.state === "paused")).toBe(true);

    const resumed = await flux(["exec", pause, "pause_workflow", "--execution-id", id, "--resume-with", '"signed"', "--inspect"], cwd);
    expect(resumed.code).toBe(0);
    const out = stdoutJson<{ output: string; events: { type: string; value: unknown }[] }>(resumed);
    expect(out.output).toBe("Data processed and signed");
    expect(out.events.map((e) => e.type)).toEqual([
      "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED",
      "TASK_RESUMED", "WORKFLOW_RESUMED", "WORKFLOW_COMPLETED",
    ]);
    expect(out.events.find((e) => e.type === "TASK_RESUMED")?.value).toBe("signed");

    const replayed = await flux(["exec", pause, "pauseWorkflow", "--execution-id", id], cwd);
    expect(replayed.code).toBe(0);
    expect(stdoutJson(replayed)).toMatchObject({ execution_id: id, output: "Data processed and signed" });

    const inspected = await flux(["inspect", id], cwd);
    expect(inspected.code).toBe(0);
    expect(stdoutJson<{ events: unknown[] }>(inspected).events).toHaveLength(8);
    // A page of it: events 3 and 4, and the command for the next page.
    const page = stdoutJson<{ events: { id: number }[]; next?: string; output: string }>(await flux(["inspect", id, "--from", "3", "--limit", "2"], cwd));
    expect(page.events.map((e) => e.id)).toEqual([3, 4]);
    expect(page.next).toBe(`flux inspect ${id} --from 5 --limit 2`);
    expect(page.output).toBe("Data processed and signed");
    const all = stdoutJson<{ executions: { execution_id: string; state: string }[] }>(await flux(["list", "--workflow", "pause_workflow", "--limit", "50"], cwd));
    expect(all.executions.find((e) => e.execution_id === id)?.state).toBe("succeeded");
  });

  it("names the problem and the fix, with exit 2, for bad usage", async () => {
    const cases: [string[], RegExp][] = [
      [["exec", "missing.ts", "x"], /no file missing\.ts .*check the path/],
      [["exec", "greet.ts", "nope"], /greet\.ts has no workflow named nope: it exports greet/],
      [["exec", "greet.ts", "notAWorkflow"], /the export notAWorkflow of greet\.ts is a number, not a workflow/],
      [["exec", "greet.ts", "shout"], /is a task, not a workflow: run it from a workflow/],
      [["exec", "empty.ts", "x"], /empty\.ts exports no workflow: export one/],
      [["exec", "greet.ts", "greet", '{"name": '], /INPUT is not valid JSON .*quote it as a JSON string/],
      [["exec", "broken.ts", "x"], /cannot load broken\.ts/],
      [["exec", "cjs.ts", "cjs"], /cannot load cjs\.ts: .*use import and export/],
      [["exec", "npm-init/hello.ts", "hello"], /npm-init\/hello\.ts loads as CommonJS \("type": "commonjs" in .*npm-init\/package\.json\).*set "type": "module" in .*, or rename the file hello\.mts/],
      [["exec", hello], /flux exec needs FILE and WORKFLOW/],
      [["exec", hello, "hello_world", "--resume-with", "1"], /--resume-with needs --execution-id/],
      [["exec", hello, "hello_world", "--nope"], /Unknown option '--nope'.*flux exec --help/],
      [["exec", pause, "pause_workflow", "--execution-id", "no-such-id", "--resume-with", "1"], /no execution no-such-id/],
      [["inspect", "no-such-id"], /no execution no-such-id .*flux list/],
      [["inspect", "some-id", "--from=-1"], /--from needs a whole number ≥ 0, not "-1"/],
      [["inspect", "some-id", "--limit", "0"], /--limit needs a whole number ≥ 1, not "0"/],
      [["inspect", "some-id", "--limit", "10001"], /limit=10001 is not a page size: give a whole number from 1 to 10000/],
      [["list", "--state", "sleepy"], /--state sleepy is not a state/],
      [["frobnicate"], /unknown command "frobnicate": use exec, inspect, list, recover, start, send, cancel, schedules or check/],
    ];
    const results = await Promise.all(cases.map(([args]) => flux(args, cwd)));
    results.forEach((ran, i) => {
      const [args, message] = cases[i]!;
      expect(ran.code, args.join(" ")).toBe(2);
      expect(ran.stderr, args.join(" ")).toMatch(message);
      expect(ran.stdout, args.join(" ")).toBe("");
    });
  });

  it("has --help on every command, and --version", async () => {
    const helps = await Promise.all([[], ["--help"], ["exec", "--help"], ["inspect", "-h"], ["list", "--help"], ["start", "--help"]].map((args) => flux(args, cwd)));
    expect(helps[0]!.code).toBe(2);
    expect(helps[0]!.stdout).toContain("flux exec FILE WORKFLOW [INPUT]");
    expect(helps.slice(1).map((h) => h.code)).toEqual([0, 0, 0, 0, 0]);
    expect(helps[2]!.stdout).toContain("Usage: flux exec FILE WORKFLOW [INPUT]");
    expect(helps[2]!.stdout).toContain("--resume-with");
    expect(helps[3]!.stdout).toContain("Usage: flux inspect EXECUTION_ID");
    expect(helps[4]!.stdout).toContain("--state STATE");
    expect(helps[5]!.stdout).toContain("--port PORT");
    const version = await flux(["--version"], cwd);
    expect(version.stdout).toBe(`flux-ts ${(JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version}\n`);
  });
});

// A TypeScript project of several files, as tsx users write them: relative imports by their .js
// name, by folder and without extension, a type-only import, an enum and a const enum across
// files, parameter properties, a namespace of types only.
const tsProject = {
  "ts-project/package.json": `{ "type": "module" }`,
  "ts-project/main.ts": `import { task, workflow, type WorkflowExecutionContext } from "flux-ts";
import { Level, Size, label, type Order } from "./model.js";
import type { Options } from "./options.js";
import { twice } from "./lib";
import { shout } from "./lib/shout";

export namespace Shapes { export type Box = { size: Size; class?: string } }
declare namespace Ambient { const outside: number }

class Pricer {
  constructor(private readonly base: number, public factor = 2) {}
  price(size: Size): number { return this.base * this.factor * size; }
}

export const describeOrder = task("describe_order", async (order: Order, options?: Options): Promise<string> => {
  const box: Shapes.Box = { size: Size.Large };
  return \`\${shout(label(order))} \${Level[order.level]} \${twice(new Pricer(1).price(box.size))}\${options?.suffix ?? ""}\`;
});

export const ordered = workflow("ordered", async (ctx: WorkflowExecutionContext<Order>) => ctx.run(describeOrder, ctx.input));

export const where = workflow("where", async (): Promise<string> => new Error("here").stack!.split("\\n")[1]!);
`,
  "ts-project/model.ts": `export enum Level { Low, High = 5 }
export const enum Size { Small = 1, Large = 3 }
export interface Order { id: string; level: Level }
export const label = (order: Order): string => \`order \${order.id}\`;
`,
  "ts-project/options.ts": `export interface Options { suffix?: string }
`,
  "ts-project/lib/index.ts": `export const twice = (n: number): number => n * 2;
`,
  "ts-project/lib/shout.ts": `export function shout(text: string): string { return text.toUpperCase(); }
`,
  "ts-project/tagged.mts": `import { workflow } from "flux-ts";
import { Level } from "./model.js";
import { tag } from "./tag.mjs";
export const tagged = workflow("tagged", async (): Promise<string> => tag(Level[Level.High]));
`,
  "ts-project/tag.mts": `export const tag = (text: string): string => \`<\${text}>\`;
`,
  "ts-project/values-namespace.ts": `import { workflow } from "flux-ts";
export namespace Types { export type A = { id: string } }
namespace Values {
  export const answer = 42;
}
export const answer = workflow("answer", async () => Values.answer);
`,
  "ts-project/decorated.ts": `import { workflow } from "flux-ts";
function logged<T>(method: T, _context: unknown): T { return method; }
class Greeter {
  @logged
  greet(): string { return "hi"; }
}
export const decorated = workflow("decorated", async () => new Greeter().greet());
`,
  "ts-project/uses-jsx.ts": `import { workflow } from "flux-ts";
import { view } from "./view.js";
export const jsx = workflow("jsx", async () => String(view));
`,
  "ts-project/view.tsx": `export const view = <b>hi</b>;
`,
  "ts-project/uses-ts.mjs": `export { ordered } from "./main.ts";
`,
};

describe("flux exec of a TypeScript project (sucrase)", () => {
  const cwd = userProject(tsProject);
  const order = '{"id": "a1", "level": 5}';

  it("loads a project of several .ts files: ./x.js is x.ts, ./lib is lib/index.ts, enums, a type import, parameter properties", async () => {
    const [sucrase, tsx] = await Promise.all([
      flux(["exec", "ts-project/main.ts", "ordered", order], cwd),
      flux(["exec", "ts-project/main.ts", "ordered", order], cwd, { FLUX_TS_LOADER: "tsx" }),
    ]);
    expect(sucrase.stderr).toBe("");
    expect(stdoutJson(sucrase)).toMatchObject({ state: "succeeded", output: "ORDER A1 High 12" });
    expect(stdoutJson(tsx)).toMatchObject({ state: "succeeded", output: "ORDER A1 High 12" });
  });

  it("loads .mts files, importing ./x.mjs as x.mts and ./x.js as x.ts", async () => {
    expect(stdoutJson(await flux(["exec", "ts-project/tagged.mts", "tagged"], cwd))).toMatchObject({ state: "succeeded", output: "<High>" });
  });

  it("keeps the .ts file's line numbers in stack traces (sucrase keeps every line where it was)", async () => {
    const line = tsProject["ts-project/main.ts"].split("\n").findIndex((l) => l.includes('new Error("here")')) + 1;
    const ran = await flux(["exec", "ts-project/main.ts", "where"], cwd);
    expect(stdoutJson<{ output: string }>(ran).output).toMatch(new RegExp(`ts-project/main\\.ts:${line}:\\d+\\)$`));
  });

  it("compiles a file anew when it changes (the cache is keyed by the source)", async () => {
    const dir = userProject({ "edited.ts": `import { workflow } from "flux-ts";\nexport const edited = workflow("edited", async (): Promise<number> => 1);\n` });
    expect(stdoutJson(await flux(["exec", "edited.ts", "edited"], dir))).toMatchObject({ output: 1 });
    writeFileSync(join(dir, "edited.ts"), `import { workflow } from "flux-ts";\nexport const edited = workflow("edited", async (): Promise<number> => 2);\n`);
    expect(stdoutJson(await flux(["exec", "edited.ts", "edited"], dir))).toMatchObject({ output: 2 });
  });

  it("names what sucrase does not compile, and the way out: namespaces of values, decorators, JSX; FLUX_TS_LOADER", async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [["exec", "ts-project/values-namespace.ts", "answer"], {}, /values-namespace\.ts:3: namespace Values holds values, which flux's TypeScript loader \(sucrase\) does not compile: .*FLUX_TS_LOADER=tsx/],
      [["exec", "ts-project/decorated.ts", "decorated"], {}, /cannot load ts-project\/decorated\.ts: .*It uses decorators \(@logged, line 4\).*FLUX_TS_LOADER=tsx/],
      [["exec", "ts-project/uses-jsx.ts", "jsx"], {}, /Unknown file extension "\.tsx".*It imports a \.tsx file, which flux's TypeScript loader \(sucrase\) does not load: .*FLUX_TS_LOADER=tsx/],
      [["exec", "ts-project/uses-ts.mjs", "ordered"], {}, /It imports a \.ts file: flux loads TypeScript when the workflow file itself is TypeScript/],
      [["exec", "ts-project/main.ts", "ordered"], { FLUX_TS_LOADER: "esbuild" }, /FLUX_TS_LOADER=esbuild is not a TypeScript loader: set it to sucrase, tsx or node/],
      [["exec", "ts-project/view.tsx", "x"], { FLUX_TS_LOADER: "sucrase" }, /cannot load ts-project\/view\.tsx: FLUX_TS_LOADER=sucrase, and flux's sucrase loader does not load \.tsx, \.jsx nor \.cts files/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => flux(args, cwd, env)));
    results.forEach((ran, i) => {
      const [args, , message] = cases[i]!;
      expect(ran.code, args.join(" ")).toBe(2);
      expect(ran.stderr, args.join(" ")).toMatch(message);
    });
    const [types, decorated] = await Promise.all([
      flux(["exec", "ts-project/main.ts", "ordered", order], cwd),
      flux(["exec", "ts-project/decorated.ts", "decorated"], cwd, { FLUX_TS_LOADER: "tsx" }),
    ]);
    expect(stdoutJson(types)).toMatchObject({ state: "succeeded" });
    expect(stdoutJson(decorated)).toMatchObject({ state: "succeeded", output: "hi" });
  });
});

describe("flux exec on a terminal", () => {
  const cwd = userProject();

  it("shows each task starting, retrying and finishing with timings; --json and pipes stay JSON only", async () => {
    const file = join(repo, "examples", "task_retries.ts");
    const [terminal, json, piped] = await Promise.all([
      fluxOnTerminal(["exec", file, "task_retries"], cwd),
      fluxOnTerminal(["exec", file, "task_retries", "--json"], cwd),
      flux(["exec", file, "task_retries"], cwd),
    ]);
    expect(terminal.code).toBe(0);
    const lines = terminal.stdout.split(/\r?\n/);
    expect(lines.find((l) => l.includes("▶ task_retries started"))).toBeDefined();
    expect(lines.find((l) => /· flaky_task step 1$/.test(l))).toBeDefined();
    expect(lines.find((l) => /↻ flaky_task step 1 {2}retry 1 in 10 ms/.test(l))).toBeDefined();
    expect(lines.find((l) => /✓ flaky_task step 1 {2}\d+ ms/.test(l))).toBeDefined();
    expect(lines.find((l) => /✓ task_retries succeeded {2}\d+ ms/.test(l))).toBeDefined();
    expect(terminal.stdout).toContain('"output": "succeeded on attempt 2"');
    expect(json.stdout).not.toContain("▶");
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ state: "succeeded" });
    expect(piped.stderr).toBe("");
    expect(stdoutJson(piped)).toMatchObject({ output: "succeeded on attempt 2" });
  });

  it("tags the lines of subworkflows, which interleave, with their id", async () => {
    const ran = await fluxOnTerminal(["exec", join(repo, "examples", "parallel_subflows.ts"), "parallel_subflows", '["honojs/hono","edurdias/flux"]'], cwd);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.split(/\r?\n/);
    expect(lines.filter((l) => /^ {2}\[\.1\] {3}✓ get_repo_info step 1 {2}\d+ ms$/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^ {2}\[\.2\] ✓ get_stars_workflow succeeded/.test(l))).toHaveLength(1);
  });

  it("prints inspect and list for people on a terminal", async () => {
    const ran = await flux(["exec", hello, "hello_world", "World"], cwd);
    const id = stdoutJson<{ execution_id: string }>(ran).execution_id;
    const [inspected, listed] = await Promise.all([fluxOnTerminal(["inspect", id], cwd), fluxOnTerminal(["list"], cwd)]);
    expect(inspected.stdout).toMatch(new RegExp(`hello_world {2}${id} {2}succeeded`));
    expect(inspected.stdout).toMatch(/TASK_COMPLETED\s+say_hello \(step 1\)\s+"Hello, World"/);
    expect(listed.stdout).toMatch(/EXECUTION ID\s+WORKFLOW\s+STATE\s+EVENTS/);
    expect(listed.stdout).toContain(id);
  });
});
