import { randomUUID, type Engine, type Workflow } from "flux-ts";
import { compileTypeScript } from "./compile.js";
import { loadModule, type LoadedModule } from "./load-module.js";
import type { SourceRecord, SourceStore } from "./source-store.js";

/** What the runner tells the page: a run of this tab began or ended (or failed to), with the error if any. */
export type RunnerListener = (executionId: string, phase: "started" | "ended", error?: unknown) => void;

/**
 * Starts, resumes and continues executions of this tab, always with the code they were started
 * with (kept in the {@link SourceStore}). While this tab runs an execution it holds a Web Lock
 * named after it, so another tab of the playground that reloads meanwhile does not replay it
 * too (it would lose the race with a `ConflictError` anyway, but would show an error for it).
 */
export class Runner {
  /** Executions this tab is running now. */
  readonly active = new Set<string>();
  readonly #compiled = new Map<string, Promise<string>>();
  readonly #listeners = new Set<RunnerListener>();

  constructor(readonly engine: Engine, readonly sources: SourceStore) {}

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
          for (const listener of this.#listeners) listener(executionId, "ended", error);
        }
      }
      waiting = held;
    }
    return taken;
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
   * way (true), or false, with nothing run, when another tab holds the lock.
   */
  #launch(executionId: string, body: () => Promise<unknown>): Promise<boolean> {
    if (this.active.has(executionId)) return Promise.reject(new Error(`execution ${executionId} is already running in this tab`));
    this.active.add(executionId);
    const emit = (phase: "started" | "ended", error?: unknown) => {
      for (const listener of this.#listeners) listener(executionId, phase, error);
    };
    const run = () => {
      emit("started");
      return body().then(() => undefined, (error: unknown) => error).then((error) => {
        this.active.delete(executionId);
        emit("ended", error);
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
          this.active.delete(executionId);
          decided(false);
          return undefined;
        }
        decided(true);
        return run();
      }).catch((error: unknown) => {
        this.active.delete(executionId);
        decided(false);
        emit("ended", error);
      });
    });
  }
}
