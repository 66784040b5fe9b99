import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess, type Running } from "./child-process.js";
import { freePort, waitFor } from "./ports.js";

/** A throwaway PostgreSQL cluster on 127.0.0.1, from Debian's packages. */
export interface Postgres {
  /** A connection URL for `database` (created on first use by its client, or by {@link createDatabase}). */
  url(database: string): string;
  createDatabase(name: string): void;
  stop(): Promise<void>;
}

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`), newest major first; `undefined` when not installed. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const major = readdirSync(root).sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(join(root, v, "bin/postgres")));
  return major === undefined ? undefined : join(root, major, "bin");
}

/** Runs a PostgreSQL tool as `postgres` when we are root (initdb and postgres refuse root), else as ourselves. */
function asPostgres(bin: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]];
}

/**
 * initdb in a new temp directory (trust authentication, default durability: fsync on,
 * synchronous_commit on), then postgres listening on 127.0.0.1 at a free port only.
 */
export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error("PostgreSQL is not installed (apt-get install -y postgresql)");
  const dir = mkdtempSync(join(tmpdir(), "flux-peer-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const port = await freePort();
  const [initdb, initArgs] = asPostgres(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  execFileSync(initdb, initArgs, { stdio: "ignore" });
  const [postgres, args] = asPostgres(join(bin, "postgres"), ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`]);
  const server: Running = startProcess(postgres, args);
  const [isReady, readyArgs] = asPostgres(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)]);
  await waitFor("PostgreSQL to accept connections", async () => {
    if (server.process.exitCode !== null) throw new Error(`postgres exited: ${server.output()}`);
    execFileSync(isReady, readyArgs, { stdio: "ignore" });
    return true;
  });
  return {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    createDatabase(name) {
      const [createdb, createArgs] = asPostgres(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name]);
      execFileSync(createdb, createArgs, { stdio: "ignore" });
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
