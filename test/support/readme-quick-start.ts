import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./consumer-project.js";

/** The section of README.md that tells a user how to start in their own project. */
export const quickStartHeading = "## Use it in your project";

/** What the section asks a user to do: files to write and shell commands to run, in order. */
export interface QuickStart {
  /** Files by name: each ```js block whose first line is `// NAME`. */
  readonly files: Readonly<Record<string, string>>;
  /** Each command line of the ```sh blocks, with the `# ...` comment after it (what it prints). */
  readonly commands: readonly { readonly command: string; readonly prints: string }[];
}

/** Reads the quick start out of README.md, so that the test runs what the README says. */
export function readmeQuickStart(): QuickStart {
  const readme = readFileSync(join(repo, "README.md"), "utf8");
  const start = readme.indexOf(`\n${quickStartHeading}\n`);
  if (start < 0) throw new Error(`README.md has no "${quickStartHeading}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const files: Record<string, string> = {};
  const commands: { command: string; prints: string }[] = [];
  for (const [, lang, body] of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    if (lang === "sh") {
      for (const line of body!.split("\n").filter((l) => l.trim() !== "")) {
        const [command, ...comment] = line.split(/\s+#\s?/);
        commands.push({ command: command!.trim(), prints: comment.join(" # ").trim() });
      }
    } else {
      const name = /^\/\/ (\S+)\n/.exec(body!)?.[1];
      if (name !== undefined) files[name] = body!;
    }
  }
  return { files, commands };
}
