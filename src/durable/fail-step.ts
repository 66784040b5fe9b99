import { ExecutionEventType as T } from "../events.js";
import type { Execution } from "../execution.js";

/** Records a step's failure and throws it as recorded (so secrets redacted from it stay redacted). */
export async function failStep(exec: Execution, stepId: string, name: string, error: unknown): Promise<never> {
  const event = exec.emit(T.TASK_FAILED, stepId, name, error);
  await exec.flush();
  throw exec.secrets.length === 0 ? error : event.value;
}
