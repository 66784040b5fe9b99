import { checkHistory, decodeValue, loadHistory, type ExecutionEvent, type ExecutionSummary, type StateStore } from "flux-ts";
import { CompileError, preloadCompiler } from "./compile.js";
import { checkNote } from "../../ui/check-note.js";
import { byId } from "../../ui/dom.js";
import { downloadText } from "./download.js";
import { Drafts } from "./drafts.js";
import { CodeEditor } from "./editor.js";
import { createEngine, createPostbox, DEFAULT_DATABASE } from "./engine-setup.js";
import { exampleById, exampleForWorkflow, examples, type Example } from "./examples/index.js";
import { ExecutionView, type HistorySource } from "../../ui/execution-view.js";
import { renderExecutions } from "../../ui/executions-view.js";
import { renderGallery } from "./gallery-view.js";
import { keepForOffline } from "./offline.js";
import { exportHistory, historyFileName, importHistory, parseHistory } from "./history-io.js";
import { readInput } from "../../ui/parse-input.js";
import { Runner } from "./runner.js";
import { SourceStore } from "./source-store.js";
import { timelineLegend } from "../../ui/timeline-view.js";

// Executions in IndexedDB ("flux"), on the same engine build as Node's and the Worker's.
const engine = createEngine();
const sources = new SourceStore();
const runner = new Runner(engine, sources, createPostbox(engine));
const withCode = new Set<string>();
const channel = typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel("flux-playground");

const runInput = byId<HTMLInputElement>("run-input");
const compileStatus = byId("compile-status");
let example: Example = examples[0]!;

const drafts = new Drafts(typeof localStorage === "undefined" ? undefined : localStorage);
const editor = new CodeEditor(byId("editor"), () => void run(), () => {
  compileStatus.replaceChildren();
  draftTimer ??= setTimeout(saveDraft, 300);
});
let draftTimer: ReturnType<typeof setTimeout> | undefined;

/** Keeps the user's edits of the shown example now (a pending save, 300 ms after an edit, is made at once). */
function saveDraft(): void {
  if (draftTimer !== undefined) clearTimeout(draftTimer);
  draftTimer = undefined;
  drafts.set(example.id, editor.value, example.source);
  byId("reset-code").hidden = editor.value === example.source;
}
// Edits typed just before the page is left are kept too.
addEventListener("pagehide", () => { if (draftTimer !== undefined) saveDraft(); });
const view = new ExecutionView(storeHistory(engine.store), {
  isActive: (id) => runner.active.has(id) || [...runner.active].some((top) => id.startsWith(`${top}.`)),
  hasCode: (id) => withCode.has(id),
  isTopLevel: (id) => summaries.find((s) => s.executionId === id)?.parentId === undefined,
}, {
  resume: (id, text) => void attempt(id, async () => {
    const input = readInput(text);
    await runner.resume(id, input.value);
    if (input.warning !== undefined) view.setNote(id, `⚠ The value was ${input.warning}`, false);
  }),
  sendEvent: (id, name, text) => void attempt(id, async () => {
    const payload = readInput(text);
    const { event, continued } = await runner.sendEvent(id, name, payload.value);
    const next = continued ? "the execution takes it now" : "it waits in the execution's inbox for a waitForEvent of that name";
    view.setNote(id, `✓ Event "${event.name}" delivered (#${event.seq}): ${next}${payload.warning === undefined ? "" : `. ⚠ The payload was ${payload.warning}`}`, true);
  }),
  cancel: (id, reason) => void attempt(id, async () => {
    const result = await runner.cancel(id, reason === "" ? undefined : reason);
    view.setNote(id, result.cancelled ? `✓ Cancelled${reason === "" ? "" : `: ${reason}`}` : `It had already ended (${result.state}): nothing to cancel`, result.cancelled);
  }),
  continueRun: (id) => void attempt(id, async () => {
    if (!(await runner.continue(id))) throw new Error("another tab is running this execution");
  }),
  replayCheck: (id) => void attempt(id, async () => {
    const record = await sources.find(id);
    const module = await runner.load(record?.source ?? editor.value);
    const { events, children } = await loadHistory(engine.store, id);
    const name = events[0]?.name ?? "";
    const workflow = module.workflows.get(name);
    if (workflow === undefined) throw new Error(`the code defines no workflow "${name}" (it defines: ${[...module.workflows.keys()].join(", ") || "none"})`);
    const note = checkNote(await checkHistory(workflow, events, { children }), record === undefined ? "the editor's code" : "its code");
    view.setNote(id, note.text, note.ok);
  }),
  exportHistory: (id) => void attempt(id, async () => {
    const doc = await exportHistory(engine.store, id);
    downloadText(historyFileName(doc), `${JSON.stringify(doc, null, 2)}\n`);
  }),
  showCode: (id) => void attempt(id, async () => {
    const record = await sources.find(id);
    if (record === undefined) return;
    pickExample(exampleById(record.exampleId ?? "") ?? example, false);
    // Shown, not kept as a draft until the user edits it; Reset puts back the example's code.
    editor.value = record.source;
    byId("reset-code").hidden = record.source === example.source;
    runInput.value = record.input;
  }),
  adoptCode: (id) => void attempt(id, async () => {
    await runner.load(editor.value); // refuse code that does not compile
    await sources.save({ executionId: id, title: "imported", source: editor.value, input: runInput.value, savedAt: Date.now() });
    await select(id);
  }),
});

/** Runs `action`; its error is shown on the execution's panel. */
async function attempt(id: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    view.setNote(id, `✗ ${error instanceof Error ? error.message : String(error)}`, false);
  }
}

function pickExample(next: Example, loadSource = true): void {
  // Edits of the example shown until now are its draft, not the next one's.
  if (draftTimer !== undefined) saveDraft();
  example = next;
  byId("example-title").textContent = next.title;
  byId("example-summary").textContent = next.summary;
  if (loadSource) {
    // Edits of this example made before a reload come back; "Reset" gives the example's own code.
    const draft = drafts.get(next.id);
    editor.value = draft ?? next.source;
    byId("reset-code").hidden = draft === undefined;
    runInput.value = next.input;
  }
  compileStatus.replaceChildren();
  renderGallery(byId("gallery"), examples, next.id, (e) => pickExample(e));
  updateHash();
}

/** The URL keeps the example and the execution shown, so a reload shows them again. */
function updateHash(): void {
  const params = new URLSearchParams({ example: example.id });
  if (view.executionId !== undefined) params.set("execution", view.executionId);
  history.replaceState(null, "", `#${params}`);
}

async function run(): Promise<void> {
  compileStatus.replaceChildren();
  const button = byId<HTMLButtonElement>("run-button");
  button.disabled = true;
  try {
    const input = readInput(runInput.value);
    const id = await runner.start({ exampleId: example.id, title: example.title, source: editor.value, input: runInput.value }, input.value);
    withCode.add(id);
    if (input.warning !== undefined) {
      compileStatus.className = "warning";
      compileStatus.textContent = `⚠ The input was ${input.warning}`;
    }
    await select(id);
  } catch (error) {
    compileStatus.className = "error";
    compileStatus.textContent = `${error instanceof CompileError ? "Compile error" : "Error"}: ${error instanceof Error ? error.message : String(error)}`;
    if (error instanceof CompileError && error.position) editor.reveal(error.position.line, error.position.column);
  } finally {
    button.disabled = false;
  }
}

let summaries: readonly ExecutionSummary[] = [];
async function refreshList(): Promise<void> {
  summaries = (await engine.list({ limit: 100 })).executions;
  renderExecutions(byId("executions"), summaries, { active: runner.active, selected: view.executionId, full: true }, (id) => void select(id));
}

let listTimer: ReturnType<typeof setTimeout> | undefined;
function refreshListSoon(): void {
  listTimer ??= setTimeout(() => {
    listTimer = undefined;
    void refreshList();
  }, 50);
}

async function select(id: string): Promise<void> {
  if ((await sources.find(id)) !== undefined) withCode.add(id);
  document.body.classList.add("has-execution");
  const shown = view.show(id);
  updateHash();
  await shown;
  await refreshList();
}

engine.subscribe((notice) => {
  view.notice(notice);
  if (notice.kind === "event" && notice.event.type.startsWith("WORKFLOW_")) {
    refreshListSoon();
    channel?.postMessage({ changed: notice.executionId });
  }
});
runner.onRun((id, phase, error) => {
  refreshListSoon();
  view.refresh();
  if (phase === "ended" && error !== undefined) {
    view.setNote(id, `✗ ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, false);
  }
});
channel?.addEventListener("message", () => {
  refreshListSoon();
  void runner.schedule(); // another tab may have started or suspended one with a timeout
  if (view.executionId !== undefined) void view.show(view.executionId);
});

byId("import-file").addEventListener("change", (event) => {
  const input = event.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = "";
  if (file === undefined) return;
  void (async () => {
    const status = byId("import-status");
    try {
      const doc = parseHistory(await file.text());
      const id = await importHistory(engine.store, doc);
      // Never bound to code silently (a gallery example of the same name may not be the code that
      // recorded it): the history is shown read-only until the user picks the code to use.
      const bound = (await sources.find(id)) !== undefined;
      const match = exampleForWorkflow(doc.workflow);
      const how = match === undefined ? "put its workflow in the editor" : `open “${match.title}” (a workflow of the same name) or your own code in the editor`;
      status.textContent = `Imported ${doc.workflow} (${doc.events.length} events)${bound ? "." : `, read-only: this tab has no code for it. To resume or replay it, ${how} and press “Use the editor's code”.`}`;
      await select(id);
    } catch (error) {
      status.textContent = `Import failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  })();
});

/**
 * Deletes every execution kept in this browser (the engine's IndexedDB database and the sources
 * of the runs), after asking, then reloads the page. Refused while one runs here; another tab of
 * the playground holding the database makes it wait, and says so.
 */
async function clearExecutions(): Promise<void> {
  const status = byId("import-status");
  if (runner.active.size > 0) {
    status.textContent = "Clear: an execution is running in this tab; wait for it to end (or cancel it) first.";
    return;
  }
  if (!confirm(`Delete the ${summaries.length} execution(s) kept in this browser? The gallery's code stays.`)) return;
  await engine.close();
  await sources.clear();
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DEFAULT_DATABASE);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error("the browser refused to delete the database"));
    request.onblocked = () => { status.textContent = "Clear: waiting for the playground's other tabs to close…"; };
  });
  location.hash = `example=${example.id}`;
  location.reload();
}

async function boot(): Promise<void> {
  byId("reset-code").addEventListener("click", () => {
    editor.value = example.source;
    drafts.set(example.id, example.source, example.source);
    byId("reset-code").hidden = true;
  });
  byId("clear-button").addEventListener("click", () => void clearExecutions().catch((error: unknown) => {
    byId("import-status").textContent = `Clear failed: ${error instanceof Error ? error.message : String(error)}`;
  }));
  byId("legend").replaceChildren(timelineLegend());
  const hash = new URLSearchParams(location.hash.slice(1));
  pickExample(exampleById(hash.get("example") ?? "") ?? examples[0]!);
  byId<HTMLButtonElement>("run-button").addEventListener("click", () => void run());
  // The compiler is fetched now, then everything the page loaded is kept for offline reloads.
  void preloadCompiler().then(keepForOffline, () => undefined);
  void navigator.storage?.persist?.().then((persisted) => {
    byId("storage-status").textContent = `IndexedDB · ${persisted ? "persistent" : "best-effort"}`;
  });
  await refreshList();
  const recovered = await runner.recover();
  for (const id of recovered) withCode.add(id);
  // Event waits whose timeout passed while the page was closed (or whose event came) move on now; the others at their time.
  await runner.schedule();
  const wanted = hash.get("execution");
  const first = recovered[0] ?? (wanted !== null && summaries.some((s) => s.executionId === wanted) ? wanted : summaries[0]?.executionId);
  if (first !== undefined) {
    const record = await sources.find(first);
    const ran = exampleById(record?.exampleId ?? "");
    if (hash.get("example") === null && ran !== undefined) pickExample(ran);
    await select(first);
  }
  document.body.dataset.ready = "true";
}

boot().catch((error: unknown) => {
  byId("boot-error").textContent = `The playground could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.ready = "error";
});

/** The histories of this tab's store, decoded, as the execution view reads them. */
function storeHistory(store: StateStore): HistorySource {
  return {
    probesSteps: true,
    load: async (id, after) => (await store.load(id, { from: after + 1 })).map((e) => ({ ...e, type: e.type as ExecutionEvent["type"], value: decodeValue(e.value) })),
  };
}
