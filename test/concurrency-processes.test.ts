// N processes (2..8) resume the same paused execution at the same moment, on one SQLite file:
// exactly one proceeds, every other stops with ConflictError; the step after the pause runs once,
// and the log has no duplicate event. The step after the pause holds the winner until every other
// process has answered, so the resumes truly overlap (a resume that arrives after the execution
// finished is not a conflict: it returns the execution as it ended).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../adapters/sqlite/index.js";
import { Engine } from "../src/engine.js";
import { contended } from "./fixtures/contended-workflow.js";
import { userProject } from "./cli-support.js";
import { startFlux } from "./support/flux-server.js";
import { spawnTs, type TsChild } from "./support/spawn-child.js";
import { tempDir } from "./support/temp-dir.js";

const resumeChild = fileURLToPath(new URL("./fixtures/resume-child.ts", import.meta.url));
const workflowFile = fileURLToPath(new URL("./fixtures/contended-workflow.ts", import.meta.url));

/** The event types of a contended execution resumed once and finished. */
export const resumedOnce = [
  "WORKFLOW_STARTED", "TASK_STARTED", "TASK_COMPLETED", "TASK_PAUSED", "WORKFLOW_PAUSED",
  "TASK_RESUMED", "WORKFLOW_RESUMED", "TASK_STARTED", "TASK_COMPLETED", "WORKFLOW_COMPLETED",
];

interface Answer {
  readonly value: string;
  readonly outcome: string;
  readonly state?: string;
  readonly message?: string;
}

function countLines(file: string): number {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0;
}

async function until<T>(what: string, probe: () => T | undefined, timeout = 20_000): Promise<T> {
  for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 5))) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("N processes resume one execution at once (SQLite)", () => {
  const root = tempDir("contended");
  const db = join(root, "flux.db");
  const children: TsChild[] = [];
  afterAll(() => children.forEach((c) => c.kill()));

  it("lets exactly one proceed for N = 2..8; the others get ConflictError; no body runs twice", async () => {
    const engine = new Engine({ store: await openSqliteStore(db), workflows: [contended] });
    for (let i = 0; i < 8; i++) children.push(spawnTs(resumeChild, [db], {}, 120_000));
    await Promise.all(children.map((c) => c.waitFor("ready")));
    const report: string[] = [];

    for (let n = 2; n <= 8; n++) {
      const dir = join(root, `n${n}`);
      mkdirSync(dir);
      const paused = await contended.run({ dir }, { engine });
      expect(paused.state).toBe("paused");
      const racers = children.slice(0, n);
      const seen = racers.map((c) => c.lines().length);
      // The barrier: every racer gets its line in the same turn of this loop.
      racers.forEach((c, i) => c.send(`${paused.executionId} p${i + 1}\n`));
      const answer = (i: number): Answer | undefined => {
        const line = racers[i]!.lines()[seen[i]!];
        return line === undefined ? undefined : (JSON.parse(line) as Answer);
      };
      // Every loser answers while the winner is held in the step after the pause...
      await until(`${n - 1} refusals`, () => (racers.filter((_, i) => answer(i) !== undefined).length >= n - 1 ? true : undefined));
      await until("the winner in the step after the pause", () => (countLines(join(dir, "after")) > 0 ? true : undefined));
      expect(racers.filter((_, i) => answer(i) === undefined).length).toBe(1);
      writeFileSync(join(dir, "release"), "");
      // ...then the winner finishes.
      const answers = await until("every answer", () => {
        const all = racers.map((_, i) => answer(i));
        return all.every((a) => a !== undefined) ? (all as Answer[]) : undefined;
      });

      const winners = answers.filter((a) => a.outcome === "resumed");
      const losers = answers.filter((a) => a.outcome !== "resumed");
      expect(winners.length, JSON.stringify(answers)).toBe(1);
      expect(winners[0]!.state).toBe("succeeded");
      expect(losers.map((a) => a.outcome)).toEqual(Array(n - 1).fill("ConflictError"));
      const final = await engine.inspect(paused.executionId);
      expect(final?.output).toBe(`approved by ${winners[0]!.value}`);
      expect(final?.events.map((e) => e.type)).toEqual(resumedOnce);
      expect(final?.events.map((e) => e.id)).toEqual(resumedOnce.map((_, i) => i));
      expect([countLines(join(dir, "before")), countLines(join(dir, "after"))]).toEqual([1, 1]);
      const byLease = losers.filter((a) => a.message?.includes("is being run by another runner")).length;
      report.push(`  N=${n}: ${winners[0]!.value} proceeded; ${losers.map((a) => a.value).join(", ")} got ConflictError (${byLease} at the lease, ${losers.length - byLease} at the commit); after_pause ran 1×`);
    }
    console.log(`N processes resuming one execution at once (SQLite, one file):\n${report.join("\n")}`);
    for (const c of children) c.send("\n");
    await engine.close();
  }, 120_000);
});

describe("concurrent resumes over HTTP: two flux start servers on one SQLite file", () => {
  it("answers one 200 and 409 to every other resume; the step after the pause runs once", async () => {
    const cwd = userProject();
    const servers = await Promise.all([startFlux(workflowFile, cwd), startFlux(workflowFile, cwd)]);
    const dir = join(cwd, "run");
    mkdirSync(dir);
    const post = async (url: string, body: unknown) => {
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { state?: string; output?: unknown; error?: { code: string } } };
    };
    const paused = await post(`${servers[0]!.url}/contended`, { dir });
    expect(paused.body.state).toBe("paused");
    const id = (paused.body as { execution_id: string }).execution_id;
    const n = 8;
    const answered: { status: number; body: { output?: unknown; error?: { code: string } } }[] = [];
    const requests = Array.from({ length: n }, (_, i) => post(`${servers[i % 2]!.url}/contended/${id}`, `h${i + 1}`).then((r) => {
      answered.push(r);
      return r;
    }));
    await until(`${n - 1} answers`, () => (answered.length >= n - 1 ? true : undefined));
    await until("the winner in the step after the pause", () => (countLines(join(dir, "after")) > 0 ? true : undefined));
    writeFileSync(join(dir, "release"), "");
    const results = await Promise.all(requests);

    const statuses = results.map((r) => r.status);
    console.log(`${n} concurrent resumes over HTTP, alternating between two flux start servers: statuses ${statuses.join(", ")}`);
    expect([...statuses].sort()).toEqual([200, ...Array(n - 1).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error?.code).toBe("CONFLICT");
    const winner = results.findIndex((r) => r.status === 200);
    expect(results[winner]!.body.output).toBe(`approved by h${winner + 1}`);
    const inspected = (await (await fetch(`${servers[1]!.url}/inspect/${id}`)).json()) as { state: string; events: { type: string }[] };
    expect(inspected.state).toBe("succeeded");
    expect(inspected.events.map((e) => e.type)).toEqual(resumedOnce);
    expect([countLines(join(dir, "before")), countLines(join(dir, "after"))]).toEqual([1, 1]);
    for (const server of servers) server.child.kill("SIGTERM");
    for (const server of servers) expect((await server.exited).code).toBe(0);
  }, 60_000);
});
