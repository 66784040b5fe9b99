import { task, workflow, type WorkflowExecutionContext } from "flux-ts";

export const multiplyByTwo = task("multiply_by_two", async (x: number) => x * 2);
export const addThree = task("add_three", async (x: number) => x + 3);
export const square = task("square", async (x: number) => x * x);

/** ((input × 2) + 3)²: each stage is a step fed the previous result. */
export const pipelineWorkflow = workflow("pipeline_workflow", async (ctx: WorkflowExecutionContext<number>) =>
  ctx.pipeline<number>([multiplyByTwo, addThree, square], ctx.input));
