import { UsageError, WorkflowNotFoundError } from "./errors.js";
import type { Workflow } from "./workflow.js";

/** Workflows by name, as an engine finds them for the CLI, the HTTP API, recovery and wakes. */
export class WorkflowRegistry {
  readonly #byName = new Map<string, Workflow<unknown, unknown>>();

  /** Adds workflows; a second, different workflow under a known name is a `UsageError`. */
  add(workflows: Iterable<Workflow<unknown, unknown>>): void {
    for (const workflow of workflows) {
      const known = this.#byName.get(workflow.name);
      if (known !== undefined && known !== workflow) throw new UsageError(`two different workflows are named "${workflow.name}": rename one`);
      this.#byName.set(workflow.name, workflow);
    }
  }

  /**
   * Adds `workflow` unless its name is taken (by it or another): how an engine learns the
   * subworkflows its executions call, to wake or recover their executions later.
   */
  adopt(workflow: Workflow<unknown, unknown>): void {
    if (!this.#byName.has(workflow.name)) this.#byName.set(workflow.name, workflow);
  }

  /** The names of every workflow. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** Every workflow, in the order added. */
  all(): readonly Workflow<unknown, unknown>[] {
    return [...this.#byName.values()];
  }

  /** The workflow named `name`, or `undefined`. */
  find(name: string): Workflow<unknown, unknown> | undefined {
    return this.#byName.get(name);
  }

  /** The workflow named `name`; a `WorkflowNotFoundError` listing the known names otherwise. */
  get(name: string): Workflow<unknown, unknown> {
    const found = this.#byName.get(name);
    if (found !== undefined) return found;
    const known = [...this.#byName.keys()].map((n) => `"${n}"`).join(", ") || "none";
    throw new WorkflowNotFoundError(`no workflow named "${name}" is registered (registered: ${known})`);
  }
}

/** Throws a `UsageError` naming `executionId` unless it is 1 to 200 URL-safe characters. */
export function validateExecutionId(executionId: string): void {
  if (typeof executionId !== "string" || !/^[A-Za-z0-9_.:-]{1,200}$/.test(executionId)) {
    throw new UsageError(`invalid execution id ${JSON.stringify(executionId)}: use 1 to 200 letters, digits, "_", "-", ".", ":"`);
  }
}
