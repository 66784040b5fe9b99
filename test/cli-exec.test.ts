import { existsSync, readFileSync } from "node:fs";
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
      [["list", "--state", "sleepy"], /--state sleepy is not a state/],
      [["frobnicate"], /unknown command "frobnicate": use exec, inspect, list, recover or start/],
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
