import { decodeValue, type ExecutionEvent, type ExecutionState, type ExecutionSummary } from "flux-ts";
import { createClient, FluxHttpError, type EventJson, type SummaryJson } from "../../src/client/index.js";
import { checkNote } from "../../ui/check-note.js";
import { byId, h } from "../../ui/dom.js";
import { ExecutionView, type HistorySource } from "../../ui/execution-view.js";
import { renderExecutions } from "../../ui/executions-view.js";
import { readInput } from "../../ui/parse-input.js";
import { timelineLegend } from "../../ui/timeline-view.js";

/**
 * The dashboard: the executions of the server that serves this page (its HTTP API, through
 * flux-ts/client), filtered and searched by id; the selected one drawn by the playground's views
 * (timeline, event table, buttons), followed live through its event stream.
 */

const TOKEN_KEY = "flux-dashboard-token";
// `#token=...` (what `flux start` prints when it has a token) is taken once and kept in this tab.
const fromHash = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
if (fromHash !== undefined) {
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromHash));
  history.replaceState(null, "", location.pathname + location.search);
}
const baseUrl = new URL(".", location.href);
let client = makeClient();

function makeClient() {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  return createClient({ baseUrl, ...(token === undefined ? {} : { token }) });
}

/** Decodes an event as recorded (`encoding: "flux"`): Dates and Errors (with stacks) rebuilt. */
function decoded(event: EventJson): ExecutionEvent {
  return {
    id: event.id, type: event.type as ExecutionEvent["type"], sourceId: event.source_id, name: event.name,
    value: decodeValue(JSON.stringify(event.value)), time: Date.parse(event.time),
  };
}

const source: HistorySource = {
  async load(id, after) {
    const events: ExecutionEvent[] = [];
    for (let from = after; ;) {
      const page = await client.events(id, { after: from, encoding: "flux" }).catch((error: unknown) => {
        if (error instanceof FluxHttpError && error.status === 404) return undefined;
        throw error;
      });
      if (page === undefined) return events;
      events.push(...page.events.map(decoded));
      if (page.next_after === undefined) return events;
      from = page.next_after;
    }
  },
};

const summaries = new Map<string, ExecutionSummary>();
const view = new ExecutionView(source, {
  // The server runs them: nothing shown here is "interrupted" (no Continue); a running one is
  // checked once it paused or ended.
  isActive: (id) => summaries.get(id)?.state !== "paused",
  hasCode: () => true,
  isTopLevel: (id) => summaries.get(id)?.parentId === undefined,
  storedState: (id) => summaries.get(id)?.state,
}, {
  resume: (id, text) => act(id, async (workflow) => {
    const value = readInput(text);
    const result = await client.resume(workflow, id, value.value);
    return `✓ Resumed: ${result.state}${value.warning === undefined ? "" : ` (⚠ the value was ${value.warning})`}`;
  }),
  sendEvent: (id, name, text) => act(id, async (workflow) => {
    if (name === "") throw new Error("type the event's name");
    const payload = readInput(text);
    const sent = await client.sendEvent(workflow, id, name, payload.value);
    return `✓ Event "${sent.name}" delivered (#${sent.seq})${payload.warning === undefined ? "" : ` (⚠ the payload was ${payload.warning})`}`;
  }),
  cancel: (id, reason) => act(id, async (workflow) => {
    const result = await client.cancel(workflow, id, reason === "" ? undefined : reason);
    return result.cancelled ? `✓ Cancelled${reason === "" ? "" : `: ${reason}`}` : `It had already ended (${result.state}): nothing to cancel`;
  }),
  replayCheck: (id) => void (async () => {
    try {
      const note = checkNote(await client.check(id), "the server's code");
      view.setNote(id, note.text, note.ok);
    } catch (error) {
      view.setNote(id, `✗ ${error instanceof Error ? error.message : String(error)}`, false);
    }
  })(),
});
byId("legend").replaceChildren(timelineLegend());

/** Runs a button's request for execution `id` (of its workflow) and shows how it went under the buttons. */
function act(id: string, action: (workflow: string) => Promise<string>): void {
  void (async () => {
    try {
      const workflow = summaries.get(id)?.workflow ?? (await client.inspect(id)).name;
      view.setNote(id, await action(workflow), true);
    } catch (error) {
      view.setNote(id, `✗ ${error instanceof Error ? error.message : String(error)}`, false);
    }
    void follow(id);
    void refreshList();
  })();
}

// ---- the executions list ----
const list = byId("executions");
const more = byId<HTMLButtonElement>("more-button");
const workflowFilter = byId<HTMLSelectElement>("filter-workflow");
const stateFilter = byId<HTMLSelectElement>("filter-state");
let shown: ExecutionSummary[] = [];
let nextCursor: string | undefined;

function summaryOf(json: SummaryJson): ExecutionSummary {
  return {
    executionId: json.execution_id, workflow: json.workflow, state: json.state, events: json.events,
    createdAt: Date.parse(json.created_at), updatedAt: Date.parse(json.updated_at), ...(json.parent_id === undefined ? {} : { parentId: json.parent_id }),
  };
}

function filters() {
  return {
    ...(workflowFilter.value === "" ? {} : { workflow: workflowFilter.value }),
    ...(stateFilter.value === "" ? {} : { state: stateFilter.value as ExecutionState }),
  };
}

/** Reloads the first page (keeping as many rows as were shown), newest first. */
async function refreshList(): Promise<void> {
  try {
    const page = await client.list({ ...filters(), limit: Math.max(50, Math.min(shown.length, 1000)) });
    shown = page.executions.map(summaryOf);
    nextCursor = page.next_cursor;
    drawList();
    setError("");
  } catch (error) {
    handle(error);
  }
}

async function loadMore(): Promise<void> {
  if (nextCursor === undefined) return;
  const page = await client.list({ ...filters(), limit: 50, cursor: nextCursor });
  shown = [...shown, ...page.executions.map(summaryOf)];
  nextCursor = page.next_cursor;
  drawList();
}

function drawList(): void {
  for (const summary of shown) summaries.set(summary.executionId, summary);
  renderExecutions(list, shown, { selected: view.executionId, full: true }, (id) => void select(id));
  if (shown.length === 0) list.replaceChildren(h("li", { class: "empty" }, "No executions match: start one with POST /{workflow}, flux-ts/client or flux exec."));
  more.hidden = nextCursor === undefined;
}

// ---- the selected execution, followed live ----
let following: AbortController | undefined;

async function select(id: string): Promise<void> {
  document.body.classList.add("has-execution");
  const url = new URL(location.href);
  url.searchParams.set("execution", id);
  history.replaceState(null, "", url);
  drawList();
  try {
    await client.events(id, { limit: 1 }); // a 404 for an unknown id
    await view.show(id);
    setError("");
  } catch (error) {
    if (error instanceof FluxHttpError && error.status === 404) {
      setError(`No execution ${id} on this server: check the id.`);
      return;
    }
    handle(error);
    return;
  }
  void follow(id);
}

/**
 * Follows the shown execution's stream: each event is drawn as it is recorded; its subworkflows
 * are caught up (cheaply: only what is new) at most once a second while it has not ended.
 */
async function follow(id: string): Promise<void> {
  following?.abort();
  const controller = new AbortController();
  following = controller;
  const live = byId("live-status");
  let catchUp: ReturnType<typeof setTimeout> | undefined;
  const scheduleCatchUp = () => {
    catchUp ??= setTimeout(() => {
      catchUp = undefined;
      if (!controller.signal.aborted && view.executionId === id) void view.show(id);
    }, 1000);
  };
  const ticker = setInterval(scheduleCatchUp, 2000); // children recorded while the parent records nothing
  try {
    live.textContent = "● live";
    const after = view.loaded(id) - 1;
    for await (const event of client.stream(id, { after, encoding: "flux", signal: controller.signal })) {
      view.add(id, decoded(event));
      scheduleCatchUp();
    }
    // It ended: one last catch-up draws its children's ends, then the list shows its state.
    if (view.executionId === id) await view.show(id);
    void refreshList();
  } catch (error) {
    if (!controller.signal.aborted) handle(error);
  } finally {
    clearInterval(ticker);
    if (following === controller) live.textContent = "";
  }
}

// ---- errors and the token ----
function setError(text: string): void {
  byId("boot-error").textContent = text;
}

function handle(error: unknown): void {
  if (error instanceof FluxHttpError && error.status === 401) {
    byId("token-form").hidden = false;
    byId("token-input").focus();
    setError("");
    return;
  }
  setError(error instanceof Error ? error.message : String(error));
}

byId("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, byId<HTMLInputElement>("token-input").value.trim());
  byId("token-form").hidden = true;
  client = makeClient();
  void start();
});

// ---- wiring ----
byId("filters").addEventListener("submit", (event) => event.preventDefault());
workflowFilter.addEventListener("change", () => void refreshList());
stateFilter.addEventListener("change", () => void refreshList());
more.addEventListener("click", () => void loadMore().catch(handle));
byId<HTMLInputElement>("search-id").addEventListener("keydown", (event) => {
  const input = event.target as HTMLInputElement;
  if (event.key === "Enter" && input.value.trim() !== "") void select(input.value.trim());
});
// The list follows the server: new executions and state changes, every few seconds while visible.
setInterval(() => {
  if (document.visibilityState === "visible") void refreshList();
}, 3000);

async function start(): Promise<void> {
  try {
    const workflows = await client.workflows();
    byId("server-info").textContent = `${workflows.length} workflow(s) served at ${baseUrl.origin}${baseUrl.pathname}`;
    const chosen = workflowFilter.value;
    workflowFilter.replaceChildren(h("option", { value: "" }, "all workflows"), ...workflows.map((name) => h("option", { value: name }, name)));
    workflowFilter.value = chosen;
  } catch (error) {
    handle(error);
    return;
  }
  await refreshList();
  const wanted = new URL(location.href).searchParams.get("execution");
  if (wanted !== null) await select(wanted);
}

void start();
