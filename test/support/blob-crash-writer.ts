// The child of the FileBlobStore crash test: puts blobs of varying sizes into the directory given
// as its argument, several at a time, forever, printing "put N" once blob N resolved. The test
// kills it with SIGKILL mid-stream and checks that every blob present is whole.
import { FileBlobStore } from "../../adapters/node/file-blob-store.js";

/** The key of blob `i`. */
export const crashKey = (i: number): string => `sha256-${(i * 2654435761 % 2 ** 32).toString(16).padStart(8, "0")}${i}`;

/** The text of blob `i`: 1 KB to about 1.5 MB, its number repeated, so a torn file is visible. */
export function blobText(i: number): string {
  const unit = `{"blob":${i},"pad":"${"é✓".repeat(8)}"}`;
  return unit.repeat(16 + ((i * 7919) % 20_000));
}

if (process.argv[1]?.endsWith("blob-crash-writer.ts")) {
  const store = new FileBlobStore(process.argv[2]!);
  console.log("running");
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      await store.put(crashKey(i), blobText(i));
      console.log(`put ${i}`);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
