/**
 * The CLI's help as a user reads it in their own project: the examples of `flux exec`, `flux
 * list`, `flux check` and `flux schedules` run as printed in a project whose workflows.ts exports
 * the workflows the help names; `flux list --help` names every state and each state filters.
 */
import { describe, expect, it } from "vitest";
import { executionStates } from "../src/http/list-query.js";
import { flux, userProject } from "./cli-support.js";

const workflowsTs = `
import { task, workflow } from "flux-ts";
const greet = task("greet", async (who: unknown) => \`Hello, \${typeof who === "string" ? who : JSON.stringify(who)}\`);
export const helloWorld = workflow("hello_world", async (ctx) => ctx.run(greet, ctx.input));
export const approval = workflow("approval", async (ctx) => ctx.pause<string>("approval_required"));
`;

/** The `npx flux ...` lines of a help text's examples, split like a shell (quotes kept together), comments cut. */
function examples(help: string): string[][] {
  return help.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("npx flux ")).map((line) => {
    const command = line.replace(/\s+#.*$/, "");
    return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!).slice(2);
  });
}

describe("flux help examples, run in a user's project", () => {
  const project = userProject({ "workflows.ts": workflowsTs });

  it("flux exec's examples run as printed (the id placeholder filled in)", async () => {
    const help = (await flux(["exec", "--help"], project)).stdout;
    const lines = examples(help);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    let pausedId: string | undefined;
    for (const args of lines) {
      const filled = args.map((arg) => (arg === "ID" ? pausedId! : arg));
      const ran = await flux(filled, project);
      expect([0, 3], `${filled.join(" ")}: ${ran.stderr}`).toContain(ran.code);
      if (ran.code === 3) pausedId = (JSON.parse(ran.stdout) as { execution_id: string }).execution_id;
    }
    expect(pausedId).toBeDefined();
  });

  it("flux list, check and schedules examples run as printed; list names and filters every state", async () => {
    for (const command of ["list", "check", "schedules", "flux"]) {
      const help = (await flux(command === "flux" ? ["--help"] : [command, "--help"], project)).stdout;
      for (const args of examples(help).filter((a) => a[0] !== "start")) {
        if (args[0] === "schedules" || (args[0] === "check" && args[1] !== "workflows.ts")) continue; // no schedules here; src/workflows is another layout
        const ran = await flux(args, project);
        expect([0, 3], `${args.join(" ")}: ${ran.stderr}`).toContain(ran.code);
      }
    }
    const listHelp = (await flux(["list", "--help"], project)).stdout;
    for (const state of executionStates) {
      expect(listHelp).toContain(state);
      expect((await flux(["list", "--state", state, "--json"], project)).code, state).toBe(0);
    }
    expect((await flux(["list", "--state", "done"], project)).stderr).toContain("cancelled");
  });
});
