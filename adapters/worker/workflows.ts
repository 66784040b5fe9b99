import { helloWorld } from "../../examples/hello_world.js";
import { multiStageWorkflow } from "../../examples/multiple_pause_points.js";
import { pauseWorkflow } from "../../examples/pause.js";
import { sleepWorkflow } from "../../examples/sleep.js";
import { taskRetries } from "../../examples/task_retries.js";

/**
 * The workflows this Worker serves, bundled at build time (a Worker cannot load files at run
 * time). To serve your own, import them here (or write your own entry like `worker.ts`).
 */
export const workflows = [helloWorld, pauseWorkflow, multiStageWorkflow, sleepWorkflow, taskRetries];
