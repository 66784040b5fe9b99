import { spawn } from "node:child_process";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildReport, Variant } from "./workload.js";

const childEntry = fileURLToPath(new URL("./child.ts", import.meta.url));

/**
 * Runs one workload variant in a child Node process (through tsx) and resolves to its report.
 * The child's own output is passed through to `log` (indented), so notes such as sizes show.
 */
export function runChild(file: string, variant: Variant, runs: number, log: (line: string) => void, nodeArgs: readonly string[] = []): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", childEntry, file, variant, String(runs)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.trimEnd().split("\n");
      const last = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") log(`    ${line}`);
      if (code !== 0 || !last.startsWith("{")) {
        const reason = (stderr || stdout).split("\n").find((line) => /Error|error:/.test(line)) ?? `exit code ${code}`;
        reject(new Error(`${reason.trim()} (${basename(file)}, ${variant})`));
        return;
      }
      resolve(JSON.parse(last) as ChildReport);
    });
  });
}
