import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A throwaway PostgreSQL cluster from Debian's packages, for the tests and the benches. No
// vitest here: bench/ uses it too.

/** A running throwaway cluster on 127.0.0.1. */
export interface PostgresCluster {
  readonly port: number;
  /** A connection URL for `database` (default `postgres`, which always exists). */
  url(database?: string): string;
  /** Creates `name` (an empty database) with the createdb of the same installation. */
  createDatabase(name: string): void;
  /** Stops the server (fast shutdown, then SIGKILL after 10 s) and removes its directory. Harmless twice. */
  stop(): Promise<void>;
}

/** Options of {@link startPostgres}. */
export interface ClusterOptions {
  /**
   * Keep PostgreSQL's durability settings (fsync on, synchronous_commit on; its defaults): for
   * benches. Off (the default, for tests), the server does not fsync, which changes nothing a
   * test can observe short of a power cut, and spares a loaded machine's disk.
   */
  readonly durable?: boolean;
}

/** Debian's PostgreSQL binaries (`/usr/lib/postgresql/<major>/bin`), newest major first; `undefined` when not installed. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const major = readdirSync(root).sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(join(root, v, "bin/postgres")));
  return major === undefined ? undefined : join(root, major, "bin");
}

/** Why PostgreSQL cannot run here, or `undefined` when it can (its binaries are installed). */
export function postgresUnavailable(): string | undefined {
  return postgresBin() === undefined ? "PostgreSQL is not installed here (no /usr/lib/postgresql/*/bin/postgres): apt-get install postgresql" : undefined;
}

/**
 * The user the server runs as: `postgres` when we are root (initdb and postgres refuse root),
 * else ourselves (no options). Given to the child process itself rather than through runuser, so
 * that a signal reaches the server: runuser ignores SIGINT (fast shutdown), and a SIGKILL of
 * runuser would leave the server running on a removed directory.
 */
function asPostgres(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
// A test process that exits (normally, or on an uncaught error) takes its servers with it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * initdb into a new temp directory (trust authentication, UTF8), then `postgres` on 127.0.0.1
 * at a free port, its socket in that directory; resolves once it accepts connections.
 */
export async function startPostgres(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (bin === undefined) throw new Error(postgresUnavailable());
  const dir = mkdtempSync(join(tmpdir(), "flux-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const user = asPostgres();
  execFileSync(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"], { stdio: "pipe", ...user });
  const port = await freePort();
  const settings = ["listen_addresses=127.0.0.1", `unix_socket_directories=${dir}`, "max_connections=200", ...(options.durable === true ? [] : ["fsync=off", "full_page_writes=off"])];
  const args = ["-D", data, "-p", String(port), ...settings.flatMap((s) => ["-c", s])];
  const child = spawn(join(bin, "postgres"), args, { stdio: ["ignore", "pipe", "pipe"], ...user });
  running.add(child);
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-10_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT"); // fast shutdown: ends sessions, no waiting for clients
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const readyArgs = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres"];
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited before accepting connections:\n${output}`);
    }
    try {
      execFileSync(join(bin, "pg_isready"), readyArgs, { stdio: "ignore", ...user });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections within 60 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    port,
    url: (database = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    createDatabase(name) {
      execFileSync(join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", name], { stdio: "ignore", ...user });
    },
    stop,
  };
}
