type Callback = () => void;

interface MacrotaskGlobals {
  setImmediate?: (callback: Callback) => unknown;
  MessageChannel?: typeof MessageChannel;
}

/**
 * Runs `callback` after every microtask queued so far has run (a macrotask), as cheaply as the
 * platform allows: `setImmediate` (Node), a `MessageChannel` (browsers, workers), else `setTimeout`.
 * The commit queue uses it to let every step that finishes in the same turn join one commit.
 */
export const nextMacrotask: (callback: Callback) => void = pickMacrotask(globalThis as MacrotaskGlobals);

function pickMacrotask(globals: MacrotaskGlobals): (callback: Callback) => void {
  const immediate = globals.setImmediate;
  if (typeof immediate === "function") return (callback) => void immediate(callback);
  const Channel = globals.MessageChannel;
  if (typeof Channel === "function") {
    const queue: Callback[] = [];
    const channel = new Channel();
    channel.port1.onmessage = () => queue.shift()?.();
    return (callback) => {
      queue.push(callback);
      channel.port2.postMessage(undefined);
    };
  }
  return (callback) => void setTimeout(callback, 0);
}

/** A promise that never settles: what a suspended workflow awaits, so no user code can catch it. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** A signal that aborts when any of `signals` does, with its reason (`AbortSignal.any` where the platform has it). */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof any === "function") return any.call(AbortSignal, [...signals]);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
