import { decodeValue, randomUUID, type CancelResult, type Engine, type ExecutionEvent, type ExecutionSummary, type InboxEvent, type Workflow } from "flux-ts";
import { compileTypeScript } from "./compile.js";
import { loadModule, type LoadedModule } from "./load-module.js";
import type { SourceRecord, SourceStore } from "./source-store.js";
import { openWaits } from "../../ui/waiting.js";
import { movesOnWithoutResume, WakeTimers } from "./wake-timers.js";

/** What the runner tells the page: a run of this tab began or ended (or failed to), with the error if any. */
export type RunnerListener = (executionId: string, phase: "started" | "ended", error?: unknown) => void;

/**
 * Starts, resumes and continues executions of this tab, always with the code they were started
 * with (kept in the {@link SourceStore}). While this tab runs an execution it holds a Web Lock
 * named after it, so another tab of the playground that reloads meanwhile does not replay it
 * too (it would lose the race with a `ConflictError` anyway, but would show an error for it).
 *
 * Nothing else runs them: not the engine's dispatcher, which would wake an execution with the
 * first workflow of its name the engine saw (the code of an earlier run, before an edit) and
 * outside the Web Lock. So events are sent through a `postbox` (an engine on the same store that
 * has no workflow: its wake-up finds nothing to run), and the runner continues the execution
 * itself; event waits' timeouts are kept by its {@link WakeTimers}.
 */
export class Runner {
  /** Executions this tab is running now. */
  readonly active = new Set<string>();
  /** Timers that continue paused executions when an event wait's timeout passes. */
  readonly timers: WakeTimers;
  readonly #compiled = new Map<string, Promise<string>>();
  readonly #listeners = new Set<RunnerListener>();
  /** The runs of this tab, by execution id, settled when they end (never rejected). */
  readonly #runs = new Map<string, Promise<void>>();

  constructor(readonly engine: Engine, readonly sources: SourceStore, readonly postbox: Pick<Engine, "sendEvent">) {
    this.timers = new WakeTimers(() => this.#wakeTimes(), (id) => this.moveOn(id).catch((error: unknown) => this.#emit(id, "ended", error)));
  }

  /** Calls `listener` when a run of this tab starts or ends. Returns the unsubscribe. */
  onRun(listener: RunnerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Compiles and evaluates `source` afresh (module state is never shared between runs). */
  async load(source: string): Promise<LoadedModule> {
    let compiled = this.#compiled.get(source);
    if (compiled === undefined) {
      compiled = compileTypeScript(source);
      this.#compiled.set(source, compiled);
      compiled.catch(() => this.#compiled.delete(source));
    }
    return loadModule(await compiled);
  }

  /**
   * Starts a new execution of the source's default workflow. Compiles first (rejecting on a
   * compile or load error, with nothing recorded), saves the source, and resolves with the new
   * id as soon as the run is under way.
   */
  async start(record: Omit<SourceRecord, "executionId" | "savedAt">, input: unknown): Promise<string> {
    const module = await this.load(record.source);
    const executionId = randomUUID();
    await this.sources.save({ ...record, executionId, savedAt: Date.now() });
    await this.#launch(executionId, () => this.engine.run(module.main, input, { executionId }));
    return executionId;
  }

  /**
   * Resumes a paused execution: its pending pause returns `value`. For a paused subworkflow, the
   * resume goes to its top-level execution, which forwards it down to the child's pause and
   * carries on past the call.
   */
  async resume(executionId: string, value: unknown): Promise<void> {
    const { record, module } = await this.#moduleOf(executionId);
    const top = await this.#workflowOf(module, record.executionId);
    const launched = await this.#launch(record.executionId, async () => {
      await this.engine.resume(top, record.executionId, value);
    });
    if (!launched) throw new Error(`another tab is running execution ${record.executionId}: resume it there`);
  }

  /**
   * Sends the event `name` to the top-level execution `executionId` (`engine.sendEvent`, through
   * the postbox) and, when that made it due, continues it here with its own code (see
   * {@link moveOn}). Resolves with the event as kept and whether this tab took the execution up
   * (false: it waits on something else too, or another tab runs it and takes the event there).
   */
  async sendEvent(executionId: string, name: string, payload: unknown): Promise<{ event: InboxEvent; continued: boolean }> {
    const { record } = await this.#moduleOf(executionId);
    if (record.executionId !== executionId) {
      throw new Error(`execution ${executionId} is a subworkflow: the playground sends events to top-level executions (the engine's dispatcher would wake it, then its parent)`);
    }
    const event = await this.postbox.sendEvent(executionId, name, payload);
    return { event, continued: await this.moveOn(executionId) };
  }

  /**
   * Cancels a top-level execution (`engine.cancel`), its subworkflows with it. One this tab runs
   * stops at once; a paused or interrupted one is cancelled under its Web Lock (no other tab takes
   * it up meanwhile). Rejects when another tab runs it, and for a subworkflow.
   */
  async cancel(executionId: string, reason?: string): Promise<CancelResult> {
    if (this.active.has(executionId)) return this.engine.cancel(executionId, reason);
    const summary = await this.engine.store.get(executionId);
    if (summary?.parentId !== undefined) throw new Error(`execution ${executionId} is a subworkflow: cancel its top-level execution ${summary.parentId.split(".")[0]}`);
    let result: CancelResult | undefined;
    let failure: unknown;
    const launched = await this.#launch(executionId, async () => {
      try {
        result = await this.engine.cancel(executionId, reason);
      } catch (error) {
        failure = error; // the caller's to report
      }
    });
    if (!launched) throw new Error(`another tab is running execution ${executionId}: cancel it there`);
    await this.#runs.get(executionId);
    if (result === undefined) throw failure;
    return result;
  }

  /**
   * Continues the paused top-level execution `executionId` in this tab, with its own code and
   * under its Web Lock, if it moves on without a resume (`movesOnWithoutResume`: an event it
   * waits on arrived, its event wait's timeout passed, a cancellation waits to be recorded).
   * Waits for a run of it in this tab to end first. False when there was nothing to do here.
   */
  async moveOn(executionId: string): Promise<boolean> {
    await this.#runs.get(executionId);
    const summary = await this.engine.store.get(executionId);
    if (!movesOnWithoutResume(summary, Date.now()) && !(await this.#dueByLog(summary))) return false;
    return this.continue(executionId);
  }

  /** Sets the {@link timers} again from the store: call it when executions changed (the runner does after its own runs). */
  schedule(): Promise<void> {
    return this.timers.refresh().catch((error: unknown) => console.error("flux playground: setting the wake timers failed:", error));
  }

  /** Replays an interrupted execution (state "running" but run by no one): recorded steps return at once, the rest runs. */
  async continue(executionId: string): Promise<boolean> {
    const { module } = await this.#moduleOf(executionId);
    const workflow = await this.#workflowOf(module, executionId);
    return this.#launch(executionId, () => this.engine.run(workflow, undefined, { executionId }));
  }

  /**
   * After a reload: replays every top-level execution left "running" that has its source here
   * and is not being run by another tab. Returns the ids it took up.
   */
  async recover(): Promise<string[]> {
    const taken: string[] = [];
    let waiting: string[] = [];
    const page = await this.engine.list({ state: "running", limit: 100 });
    for (const summary of page.executions) {
      const record = await this.sources.find(summary.executionId);
      if (record?.executionId === summary.executionId && !this.active.has(summary.executionId)) waiting.push(summary.executionId);
    }
    // A lock still held may be the page this one replaced, in its last moments: ask a few times.
    for (let round = 0; round < 4 && waiting.length > 0; round += 1) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 250 * round));
      const held: string[] = [];
      for (const executionId of waiting) {
        try {
          if (await this.continue(executionId)) taken.push(executionId);
          else held.push(executionId);
        } catch (error) {
          this.#emit(executionId, "ended", error);
        }
      }
      waiting = held;
    }
    return taken;
  }

  /**
   * For a paused execution whose summary has no waits (an imported history: its events were
   * committed without the suspension): its log decides. True when it waits on events only and
   * one of them has arrived or timed out.
   */
  async #dueByLog(summary: ExecutionSummary | undefined): Promise<boolean> {
    if (summary?.state !== "paused" || summary.parentId !== undefined || summary.waits !== undefined) return false;
    const { store } = this.engine;
    const waits = openWaits((await store.load(summary.executionId)).map((e) => ({ ...e, type: e.type as ExecutionEvent["type"], value: decodeValue(e.value) })));
    if (waits.length === 0 || waits.some((wait) => wait.kind !== "event")) return false;
    const arrived = new Set((await store.pending(summary.executionId)).map((event) => event.name));
    return waits.some((wait) => arrived.has(wait.name) || (wait.kind === "event" && wait.until !== undefined && wait.until <= Date.now()));
  }

  /** The paused top-level executions with code here that move on without a resume, with their time. */
  async #wakeTimes(): Promise<{ executionId: string; wakeAt: number }[]> {
    const page = await this.engine.list({ state: "paused", limit: 100 });
    const due: { executionId: string; wakeAt: number }[] = [];
    for (const summary of page.executions) {
      if (!movesOnWithoutResume(summary)) continue;
      if ((await this.sources.find(summary.executionId))?.executionId === summary.executionId) due.push({ executionId: summary.executionId, wakeAt: summary.wakeAt });
    }
    return due;
  }

  #emit(executionId: string, phase: "started" | "ended", error?: unknown): void {
    for (const listener of this.#listeners) listener(executionId, phase, error);
  }

  async #moduleOf(executionId: string): Promise<{ record: SourceRecord; module: LoadedModule }> {
    const record = await this.sources.find(executionId);
    if (record === undefined) throw new Error(`this tab has no code for execution ${executionId}: use "Replay with the editor's code"`);
    return { record, module: await this.load(record.source) };
  }

  async #workflowOf(module: LoadedModule, executionId: string): Promise<Workflow<unknown, unknown>> {
    const context = await this.engine.inspect(executionId);
    if (context === undefined) throw new Error(`no execution ${executionId} in this tab's store`);
    const workflow = module.workflows.get(context.name);
    if (workflow === undefined) throw new Error(`the code of execution ${executionId} defines no workflow "${context.name}"`);
    return workflow;
  }

  /**
   * Runs `body` under the execution's Web Lock, in the background. Resolves once it is under
   * way (true), or false, with nothing run, when another tab holds the lock. When the run ends,
   * the wake timers are set again (it may have suspended on an event wait with a timeout).
   */
  #launch(executionId: string, body: () => Promise<unknown>): Promise<boolean> {
    if (this.active.has(executionId)) return Promise.reject(new Error(`execution ${executionId} is already running in this tab`));
    this.active.add(executionId);
    let finish = () => {};
    // Settles when the run ends, or at once when the lock was refused: what `moveOn` waits for.
    this.#runs.set(executionId, new Promise<void>((resolve) => (finish = resolve)));
    const done = () => {
      this.active.delete(executionId);
      this.#runs.delete(executionId);
      finish();
    };
    const emit = (phase: "started" | "ended", error?: unknown) => this.#emit(executionId, phase, error);
    const run = () => {
      emit("started");
      return body().then(() => undefined, (error: unknown) => error).then((error) => {
        done();
        emit("ended", error);
        void this.schedule();
      });
    };
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks === undefined) {
      void run();
      return Promise.resolve(true);
    }
    return new Promise<boolean>((decided) => {
      locks.request(`flux-playground:${executionId}`, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          done();
          decided(false);
          return undefined;
        }
        decided(true);
        return run();
      }).catch((error: unknown) => {
        done();
        decided(false);
        emit("ended", error);
      });
    });
  }
}
