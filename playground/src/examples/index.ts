import { approvalByEvent } from "./approval-by-event.js";
import { determinism } from "./determinism.js";
import type { Example } from "./example.js";
import { graphExample } from "./graph.js";
import { helloWorld } from "./hello-world.js";
import { parallelSubworkflows } from "./parallel-subworkflows.js";
import { pauseResume } from "./pause-resume.js";
import { retriesFallback } from "./retries-fallback.js";
import { rollback } from "./rollback.js";

export type { Example } from "./example.js";

/** The gallery, in the order it is shown. */
export const examples: readonly Example[] = [
  helloWorld, pauseResume, approvalByEvent, retriesFallback, rollback, parallelSubworkflows, graphExample, determinism,
];

/** The example with this id, or `undefined`. */
export function exampleById(id: string): Example | undefined {
  return examples.find((example) => example.id === id);
}

/** The example whose default workflow is named `name` (to replay an imported history), or `undefined`. */
export function exampleForWorkflow(name: string): Example | undefined {
  return examples.find((example) => example.workflow === name);
}
