import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProcess, type Running } from "./child-process.js";
import { processTree } from "./fsyncs.js";
import { secondsSince, type Peer } from "./peer.js";
import { freePort, waitFor } from "./ports.js";

const config = fileURLToPath(new URL("./cloudflare/wrangler.toml", import.meta.url));
const require = createRequire(import.meta.url);
const wranglerBin = require.resolve("wrangler/bin/wrangler.js");
const pollMs = 25;
const quiet = { WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

/** The status fields read from a Workflow instance. */
interface InstanceStatus {
  readonly status: string;
  readonly output?: unknown;
  readonly error?: unknown;
}

function wranglerVersion(): string {
  return (JSON.parse(readFileSync(join(dirname(wranglerBin), "../package.json"), "utf8")) as { version: string }).version;
}

/**
 * Cloudflare Workflows, locally: `wrangler dev` (the repo's wrangler, its workerd) serving a
 * Worker whose `WorkflowEntrypoint` runs N `step.do` steps, state persisted in a temp dir.
 * An execution is timed from `create` to the first poll that sees it complete (every 25 ms:
 * at most 1% of a 1,000-step run, and few enough requests not to slow workerd down).
 */
export const cloudflare: Peer = {
  get name() {
    return `Cloudflare Workflows (wrangler ${wranglerVersion()} dev)`;
  },
  setup: "wrangler dev, local workerd; state persisted in a temp dir; started and polled over HTTP",
  async start() {
    const port = await freePort();
    const state = mkdtempSync(join(tmpdir(), "flux-peer-wrangler-"));
    const server: Running = startProcess(process.execPath, [wranglerBin, "dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--inspector-port", String(await freePort())], {
      cwd: dirname(config),
      env: { ...process.env, ...quiet, CI: "true" },
    });
    const base = `http://127.0.0.1:${port}`;
    const stop = async () => {
      await server.stop();
      rmSync(state, { recursive: true, force: true });
    };
    try {
      await waitFor("wrangler dev to serve", async () => {
        if (server.process.exitCode !== null) throw new Error(`wrangler dev exited: ${server.output()}`);
        return (await fetch(`${base}/nothing`)).status === 404;
      }, 120_000, 250);
      return {
        async run(steps) {
          const start = performance.now();
          const { id } = (await (await fetch(`${base}/start?steps=${steps}`)).json()) as { id: string };
          for (;;) {
            const status = (await (await fetch(`${base}/status?id=${encodeURIComponent(id)}`)).json()) as InstanceStatus;
            if (status.status === "complete") {
              const seconds = secondsSince(start);
              if (status.output !== steps) throw new Error(`the workflow returned ${JSON.stringify(status.output)}`);
              return seconds;
            }
            if (status.status === "errored" || status.status === "terminated") throw new Error(`the workflow ${status.status}: ${JSON.stringify(status.error)}`);
            await new Promise((resolve) => setTimeout(resolve, pollMs));
          }
        },
        processes: () => processTree(server.process.pid!),
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
};
