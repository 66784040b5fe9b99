import type { ValueStorage } from "./blobs/value-storage.js";
import type { Clock } from "./clock.js";
import type { CommitQueue } from "./commit-queue.js";
import type { ExecutionEvent } from "./events.js";
import type { SecretProvider } from "./secrets.js";
import type { ExecutionSummary, StateStore } from "./state-store.js";
import type { WorkflowExecutionContext } from "./execution-context.js";
import type { Workflow } from "./workflow.js";

/** What an engine tells its subscribers: every event as it is recorded, and tasks' progress. */
export type EngineNotice =
  | { readonly kind: "event"; readonly executionId: string; readonly event: ExecutionEvent }
  | { readonly kind: "progress"; readonly executionId: string; readonly stepId: string; readonly name: string; readonly value: unknown };

/**
 * @internal How a call step reaches subworkflows (the engine implements it). A parent never runs
 * a child "to see": it starts one that does not exist, awaits one this engine is running, and
 * otherwise reads its recorded state; only a resume forwarded to it resumes a paused child.
 */
export interface ChildRunner {
  /** The child's summary, or `undefined` when it was never started. */
  childSummary(executionId: string): Promise<ExecutionSummary | undefined>;
  /** Starts the child `executionId` of `parentId` and runs it until it finishes or suspends. */
  startChild<I, O>(workflow: Workflow<I, O>, input: I, executionId: string, parentId: string): Promise<WorkflowExecutionContext<I, O>>;
  /** The run of `executionId` this engine has in progress, if any. */
  runningChild(executionId: string): Promise<WorkflowExecutionContext<unknown, unknown>> | undefined;
  /** Resumes the paused child with `value` (a resume forwarded by its parent). */
  resumeChild<I, O>(workflow: Workflow<I, O>, executionId: string, value: unknown): Promise<WorkflowExecutionContext<I, O>>;
  /** The child as recorded. */
  inspectChild<I, O>(executionId: string): Promise<WorkflowExecutionContext<I, O>>;
  /** Makes `workflow` findable by name (to wake or recover its executions), unless the name is taken. */
  adopt(workflow: Workflow<unknown, unknown>): void;
}

/** @internal What an execution needs of its engine. */
export interface EngineRuntime {
  readonly clock: Clock;
  readonly store: StateStore;
  /** Durable sleeps longer than this (ms) suspend the run instead of holding it. */
  readonly holdSleepsUpTo: number;
  /** Steps must already be recorded (verifying a history). */
  readonly strictReplay: boolean;
  /** Encoded values longer than this (characters) are released from a running execution's log once recorded. */
  readonly releaseValuesOver: number;
  /** How recorded values are kept by size: inline, or in the blob store with a reference in the log. */
  readonly values: ValueStorage;
  readonly secrets: SecretProvider;
  readonly queue: CommitQueue;
  /** This runner's identity in leases, and how long a lease it takes lasts (ms). */
  readonly owner: string;
  readonly leaseTtl: number;
  readonly children: ChildRunner;
  notify(notice: EngineNotice): void;
  /** True while someone subscribed: notices are built only then. */
  readonly listening: boolean;
}

/**
 * @internal The runtime of an engine: `parts`, the children runner (`children()`, made after
 * it), and notices to `listeners` (built only while there is one; a listener's failure never
 * breaks a run).
 */
export function engineRuntime(
  parts: Omit<EngineRuntime, "children" | "listening" | "notify">,
  children: () => ChildRunner,
  listeners: ReadonlySet<(notice: EngineNotice) => void>,
): EngineRuntime {
  return {
    ...parts,
    get children() {
      return children();
    },
    get listening() {
      return listeners.size > 0;
    },
    notify(notice) {
      for (const listener of listeners) {
        try {
          listener(notice);
        } catch {
          // A subscriber's failure must not break a run.
        }
      }
    },
  };
}
