// Where the composed crash-point test kills its deployment processes (see crash-composed-run.ts).
import { composedShape, type KillPoint } from "../fixtures/crash-composed-workflow.js";
import type { KillPhase } from "../fixtures/crash-workflow.js";
import type { ComposedPlan } from "./crash-composed-run.js";

const phases: readonly KillPhase[] = ["before-body", "after-body", "on-record", "after-commit"];
type EventKill = Extract<KillPoint, { event: string }>;

const at = (phase: KillPhase, key: string): KillPoint => ({ phase, key });
const event = (type: string, execution: string, source?: string): EventKill => ({ event: type, execution, ...(source === undefined ? {} : { source }) });

/**
 * The plans with chosen kill points, by kind. A plan kills one process per kill point, in turn
 * (the later ones kill recoveries); each later kill point of a plan comes after the earlier one
 * in every schedule, so every one is reached.
 */
export function composedPlans(options: { full: boolean; steps: number }) {
  const { full, steps } = options;
  const m = composedShape("top", steps).middle;
  const half = Math.ceil(steps / 2);
  // Effect steps at every phase: one kill per run at a child's step just after its resume and a
  // grandchild's just after its wake; a chain of kills through a child worker's and a grandchild
  // worker's steps. Full: one kill per run at many more steps.
  const singleKeys = full
    ? [...[1, half, steps].flatMap((s) => [`top.2.1.1#${s}`, `${m}.3#${s}`]), `top.2.2.3#${half}`, "top.2.1.3#1", "top.2.1.3#3", `${m}.2.1.1#3`,
      "top.2.2.2#3", `${m}.2.2.1#3`, "top.4#3", `${m}#1`, `${m}#4`, "top#1", "top#2.1.2", "top#3", "top#5"]
    : ["top.2.1.3#3", `${m}.2.2.1#3`];
  const atSteps: ComposedPlan[] = [
    ...singleKeys.flatMap((key) => phases.map((phase) => ({ label: `${phase} ${key}`, kills: [at(phase, key)] }))),
    ...["top.2.1.1", `${m}.3`].map((execution) => ({
      label: `${execution}: ${phases.map((phase, i) => `${phase} #${2 * i + 2}`).join(", ")}`,
      kills: phases.map((phase, i) => at(phase, `${execution}#${2 * i + 2}`)),
    })),
  ];
  // Resumes forwarded to a child's and a grandchild's pause, wakes of sleeping children and of the
  // top's own sleep (each before it is durable), and the ends they cause.
  const resumes = [event("TASK_RESUMED", "top.2.1.3"), event("WORKFLOW_COMPLETED", "top.2.1.3"), event("TASK_RESUMED", "top.4")];
  const wakes = [event("TASK_COMPLETED", "top", "2.2.1"), event("WORKFLOW_RESUMED", "top.2.2.2"), event("WORKFLOW_COMPLETED", "top.2.2.2")];
  const events: ComposedPlan[] = [
    { label: "resume to a child, its end, the last resume", kills: resumes },
    { label: "the top's sleep wakes, a child's wakes, its end", kills: wakes },
    { label: "resume forwarded to a grandchild", kills: [event("TASK_RESUMED", `${m}.2.1.1`)] },
    { label: "wake of a sleeping grandchild", kills: [event("TASK_COMPLETED", `${m}.2.2.1`, "2")] },
    { label: "the top's first WORKFLOW_RESUMED", kills: [event("WORKFLOW_RESUMED", "top")] },
    ...(full ? [...resumes, ...wakes].map((kill) => ({ label: `${kill.event} ${kill.execution}${kill.source === undefined ? "" : `#${kill.source}`}`, kills: [kill] })) : []),
  ];
  return { atSteps, events };
}

/** Plans that kill at random times, the first process and then, for some, a recovery; `runMs` is how long an uninterrupted run takes. */
export function randomPlans(options: { full: boolean; runMs: number; random: () => number }): ComposedPlan[] {
  const { full, runMs, random } = options;
  const randomKill = () => ({ afterMs: Math.round(runMs * (0.05 + 0.9 * random())) });
  return [
    ...Array.from({ length: full ? 16 : 3 }, () => [randomKill()]),
    ...Array.from({ length: full ? 3 : 1 }, () => [randomKill(), randomKill()]),
  ].map((kills) => ({ label: `at ${kills.map((kill) => kill.afterMs).join(" ms, then ")} ms`, kills }));
}
