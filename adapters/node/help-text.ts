import { executionStates } from "../../src/http/list-query.js";

/** The `--help` text of each command, and of `flux` itself. */
export const helpText: Readonly<Record<"flux" | "exec" | "inspect" | "list" | "recover" | "start" | "send" | "cancel" | "schedules" | "check", string>> = {
  flux: `flux: run durable workflows (flux-ts)

Usage:
  flux exec FILE WORKFLOW [INPUT]   run a workflow exported by FILE (.ts or .js)
  flux inspect EXECUTION_ID         show an execution and its events
  flux list                         list executions, newest first
  flux recover PATH                 finish executions a stopped process left running
  flux start PATH                   serve the workflows under PATH over HTTP
  flux send EXECUTION_ID NAME [PAYLOAD]
                                    send an event to an execution (ctx.waitForEvent)
  flux cancel EXECUTION_ID          cancel an execution
  flux schedules PATH               list the schedules under PATH and their next firing
  flux check FILE                   replay stored histories against the code in FILE (before a deploy)

Options:
  -h, --help     show help (also: flux COMMAND --help)
  -v, --version  show the version

State is kept in .flux/flux.db under the current directory, or where --store URL (or the
environment variable FLUX_STORE_URL) says: postgres://user@host/database for PostgreSQL, which
several flux start processes on several machines share, or sqlite:PATH.
Exit codes: 0 succeeded, 1 failed, 2 bad usage, 3 paused, 4 cancelled.

Examples (in your project, with your workflows in workflows.ts):
  npx flux exec workflows.ts hello_world World
  npx flux start workflows.ts
  npx flux list --state paused
`,
  exec: `Usage: flux exec FILE WORKFLOW [INPUT] [options]

Runs WORKFLOW, exported by FILE (TypeScript or JavaScript, loaded without a build), on the
store in .flux/flux.db, and prints the execution as JSON: execution_id, name, input, output, state.

  FILE      the workflow file, e.g. workflows.ts or src/workflows/order.ts
  WORKFLOW  the workflow's name (hello_world) or its export's name (helloWorld)
  INPUT     the input: parsed as JSON when it is JSON (42, '{"a":1}', '"text"'), else taken as text

Options:
  --execution-id ID    replay execution ID (a paused one resumes; a finished one prints as it
                       ended); an unknown ID starts a new execution with that id
  --resume-with VALUE  resume the paused execution --execution-id with VALUE as what its pause
                       returns (JSON when it is JSON, else text)
  --inspect            print the events too (the first 1,000; flux inspect pages on)
  --json               no live progress, JSON only (the default when stderr is not a terminal)
  --store URL          the store: postgres://user@host/db (PostgreSQL, shared by a fleet of
                       runners) or sqlite:PATH; default FLUX_STORE_URL, else .flux/flux.db
  -h, --help           show this help

On a terminal, each task is shown on stderr as it starts, retries and finishes, with timings.
Exit codes: 0 succeeded, 1 failed, 2 bad usage, 3 paused.

Examples (workflows.ts exporting workflow("hello_world", ...) and workflow("approval", ...)):
  npx flux exec workflows.ts hello_world World
  npx flux exec workflows.ts hello_world '{"name": "Ada"}'     # JSON input
  npx flux exec workflows.ts approval                          # pauses: exit code 3, prints its execution_id
  npx flux exec workflows.ts approval --execution-id ID --resume-with '"approved"'
`,
  inspect: `Usage: flux inspect EXECUTION_ID [options]

Prints an execution as recorded in .flux/flux.db, with its events, a page at a time:
the first 1,000 events unless --from/--limit say otherwise, and the command for the
next page when more follow. Runs nothing.

Options:
  --from N     start at event N (0, the first, by default)
  --limit N    print at most N events (1 to 10000; default 1000)
  --json       JSON (the default when stdout is not a terminal)
  --store URL  the store: postgres://user@host/db (PostgreSQL, shared by a fleet of
               runners) or sqlite:PATH; default FLUX_STORE_URL, else .flux/flux.db
  -h, --help   show this help

Exit codes: 0 succeeded (or running), 1 failed, 2 no such execution, 3 paused.

Example (an id that flux exec or flux list printed):
  npx flux inspect 4d0baef3-2aac-4202-b996-0040170244f7
`,
  list: `Usage: flux list [options]

Lists the executions in .flux/flux.db, newest first.

Options:
  --workflow NAME  only executions of this workflow
  --state STATE    only executions in this state: ${executionStates.slice(0, -1).join(", ")} or ${executionStates.at(-1)}
  --limit N        at most N executions (default 20)
  --cursor C       the page after the one that printed this cursor
  --json           JSON (the default when stdout is not a terminal)
  --store URL      the store: postgres://user@host/db (PostgreSQL, shared by a fleet of
                   runners) or sqlite:PATH; default FLUX_STORE_URL, else .flux/flux.db
  -h, --help       show this help

Examples:
  npx flux list --state paused
  npx flux list --workflow hello_world --limit 5 --json
`,
  recover: `Usage: flux recover PATH [options]

Replays, to their end or their next pause, the executions in .flux/flux.db that a stopped
process left running: state "running", no new event for --stale-after ms, and no live runner
holding them (their lease is free or expired). Their recorded steps are not run again; the step
that was running when the process stopped runs again (at-least-once). Prints JSON: "recovered"
(execution_id, workflow, state) and "skipped" (execution_id, reason).

  PATH  the file or folder of the workflows (as for flux start): an execution is recovered only
        if its workflow is exported there

Options:
  --stale-after MS  only executions with no new event for MS milliseconds (default 30000, the
                    lease TTL); 0 takes every running execution whose lease is free
  --store URL       the store: postgres://user@host/db (PostgreSQL, shared by a fleet of
                    runners) or sqlite:PATH; default FLUX_STORE_URL, else .flux/flux.db
  -h, --help        show this help

Sleeps longer than 10 s met on the way suspend the execution; flux start wakes it when due.
Exit code 0, whatever was recovered or skipped; 2 for bad usage.

Example:
  npx flux recover workflows.ts --stale-after 0
`,
  start: `Usage: flux start PATH [options]

Serves every workflow exported by the files under PATH (a file, or a folder searched
recursively) over HTTP, on the store in .flux/flux.db:

  POST /{workflow}                  run it; the JSON body is the input (?inspect=true adds events,
                                    ?wait=false answers 202 at once)
  POST /{workflow}/{execution_id}   resume a paused execution; the JSON body is the value of its
                                    pending pause (or of the paused subworkflow it waits on)
  GET  /inspect/{execution_id}      the execution and its events
  GET  /workflows                   the workflows served
  GET  /executions                  executions, newest first (?workflow=, ?state=, ?limit=, ?cursor=)
  GET  /executions/{id}/stream      an execution's events, live (Server-Sent Events)
  GET  /health, GET /openapi.json   liveness, and the OpenAPI document of these routes
  GET  /                            the dashboard: executions, timelines, Resume, Send event, Cancel

Options:
  --host HOST         the address to listen on (default 127.0.0.1)
  --port PORT         the port (default 8000)
  --body-limit BYTES  the largest request body (default 1048576)
  --grace MS          on SIGINT/SIGTERM, how long running steps have to finish (default 10000);
                      then the rest is suspended for the next start, and requests get 503
  --no-dashboard      do not serve the dashboard at /
  --log FORMAT        a line per request on stdout: text (default: method, path, status, ms,
                      execution id), json (one JSON object per line, for machines) or off
  --recover           (always on) the server recovers executions a stopped process left running,
                      at start and whenever their lease lapses
  --store URL         the store: postgres://user@host/db (PostgreSQL, shared by a fleet of
                      runners) or sqlite:PATH; default FLUX_STORE_URL, else .flux/flux.db
  -h, --help          show this help

Environment:
  FLUX_API_TOKEN     when set, every request needs the header 'Authorization: Bearer <token>'
  FLUX_LEASE_TTL_MS  how long a runner's lease lasts unrenewed (default 30000): how soon another
                     process recovers an execution whose process died
  FLUX_STORE_URL     the store, as --store
  FLUX_RUNNER_ID     this runner's name in the leases it holds (default: a random id)

Examples (workflows.ts exporting workflow("hello_world", ...); a folder serves every file in it):
  npx flux start workflows.ts
  npx flux start src/workflows --port 8080 --log json
  curl --location 'localhost:8000/hello_world' --header 'Content-Type: application/json' --data '"World"'
`,
  send: `Usage: flux send EXECUTION_ID NAME [PAYLOAD]

Sends the event NAME to the execution EXECUTION_ID of .flux/flux.db, durably, and prints it as kept
(its seq in the execution's inbox). The execution's next ctx.waitForEvent(NAME) takes it (events
of one name are taken in the order sent, one per wait); one suspended waiting on it is continued
by a runner of the store: flux start in the same directory wakes it within a second.

  PAYLOAD  the event's value: parsed as JSON when it is JSON, else taken as text; none: undefined

Options:
  --store URL  the store: postgres://user@host/db (PostgreSQL) or sqlite:PATH; default
               FLUX_STORE_URL, else .flux/flux.db

Exit code 0; 1 when the execution has ended (the event would reach nothing) or is unknown.

Example (an execution waiting on ctx.waitForEvent("approval"); its id from flux exec or flux list):
  npx flux send 4d0baef3-2aac-4202-b996-0040170244f7 approval '{"approved": true}'
`,
  cancel: `Usage: flux cancel EXECUTION_ID [options]

Cancels the execution EXECUTION_ID of .flux/flux.db: a paused or sleeping one at once; one a live
runner runs is stopped by that runner at its next step (its running task's signal aborts). Its
state becomes cancelled, its output a CancelledError; its unfinished subworkflows are cancelled
too. No rollback runs. Prints {"execution_id", "state", "cancelled"}; "cancelled": false when it
had already ended (nothing done).

Options:
  --reason TEXT  why: kept in the CancelledError
  --store URL    the store: postgres://user@host/db (PostgreSQL) or sqlite:PATH; default
                 FLUX_STORE_URL, else .flux/flux.db

Example (its id from flux exec or flux list):
  npx flux cancel 4d0baef3-2aac-4202-b996-0040170244f7 --reason "order withdrawn"
`,
  schedules: `Usage: flux schedules PATH

Lists the schedules exported by the files under PATH (made with schedule() of flux-ts/schedules),
as flux start would fire them: name, workflow, how it fires, and the next firing time. Runs
nothing.

Example:
  npx flux schedules workflows.ts
`,
  check: `Usage: flux check FILE [options]

Replays the stored histories of each workflow exported by FILE (a file or a folder) against the
code in FILE, without running anything (no task body runs, nothing is written): paused and running
executions first, then the most recent finished ones. Prints, per execution, compatible or the
first divergence (the step, what the history recorded and what the code calls now). Run it before
a deploy: executions in flight replay on the new code, and a divergence would fail them.

Options:
  --limit N    at most N executions per workflow (default 50)
  --store URL  the store to read: postgres://user@host/db, or sqlite:PATH (default
               .flux/flux.db; or FLUX_STORE_URL)
  --json       print the results as JSON
  -h, --help   show this help

Exit codes: 0 every execution checked is compatible, 1 one diverges, 2 bad usage.

Examples (the workflows file as you mean to deploy it; in CI, before the deploy step):
  npx flux check workflows.ts
  npx flux check src/workflows --limit 20 --json
`,
};
