import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flux, repo, stdoutJson, userProject } from "./cli-support.js";
import { usePostgres } from "./support/use-postgres.js";

// `--store postgres://…` and FLUX_STORE_URL on the CLI's commands, on a throwaway PostgreSQL.
const postgres = usePostgres();
const hello = join(repo, "examples", "hello_world.ts");
const pause = join(repo, "examples", "pause.ts");

describe.skipIf(postgres.unavailable !== undefined)(`flux --store postgres://${postgres.unavailable === undefined ? "" : ` (skipped: ${postgres.unavailable})`}`, () => {
  const cwd = userProject();

  it("runs, lists, inspects, resumes and recovers on PostgreSQL, and creates no .flux/flux.db", async () => {
    const url = `${postgres.cluster().url()}?schema=cli`;
    const ran = await flux(["exec", hello, "hello_world", "World", "--store", url], cwd);
    expect(ran.stderr).toBe("");
    const out = stdoutJson(ran);
    expect(out).toMatchObject({ output: "Hello, World", state: "succeeded" });

    const listed = stdoutJson<{ executions: { execution_id: string }[] }>(await flux(["list", "--json", "--store", url], cwd));
    expect(listed.executions.map((e) => e.execution_id)).toEqual([out.execution_id]);
    // The environment variable names the same store.
    const inspected = await flux(["inspect", String(out.execution_id), "--json"], cwd, { FLUX_STORE_URL: url });
    expect(inspected.code).toBe(0);
    expect(stdoutJson(inspected)).toMatchObject({ execution_id: out.execution_id, state: "succeeded" });

    const paused = await flux(["exec", pause, "pause_workflow", "--store", url], cwd);
    expect(paused.code).toBe(3);
    const id = String(stdoutJson(paused).execution_id);
    const resumed = await flux(["exec", pause, "pause_workflow", "--execution-id", id, "--resume-with", '"approved"'], cwd, { FLUX_STORE_URL: url });
    expect(stdoutJson(resumed)).toMatchObject({ execution_id: id, state: "succeeded" });

    const recovered = await flux(["recover", hello, "--store", url], cwd);
    expect(stdoutJson(recovered)).toEqual({ recovered: [], skipped: [] });
    // Another schema in the same database is another store: empty.
    expect(stdoutJson(await flux(["list", "--json", "--store", `${postgres.cluster().url()}?schema=other`], cwd))).toEqual({ executions: [] });
    expect(existsSync(join(cwd, ".flux"))).toBe(false);
  });

  it("refuses a store URL of no known kind (exit 2) and hides its password", async () => {
    const ran = await flux(["list", "--store", "mysql://me:hunter2@db/flux"], cwd);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/unknown store "mysql:\/\/me:\*\*\*@db\/flux": give postgres:\/\/user@host\/database/);
    expect(ran.stderr).not.toContain("hunter2");
    const bad = await flux(["list", "--store", "postgresql://me:hunter2@127.0.0.1:1/flux"], cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/connecting to PostgreSQL postgresql:\/\/me:\*\*\*@127.0.0.1:1\/flux, schema flux failed/);
    expect(bad.stderr).not.toContain("hunter2");
  });
});
