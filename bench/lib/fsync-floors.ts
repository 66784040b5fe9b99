import { closeSync, fdatasyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * Milliseconds, in total, for `count` appends of 128 bytes to a new file in `dir`, each followed
 * by `fdatasync`: the cheapest durable write there is (the file grows: the filesystem's journal
 * records the new size with the data).
 */
export function appendFsyncMs(dir: string, count: number): number {
  const fd = openSync(join(dir, `append-${count}-${process.hrtime.bigint()}`), "w");
  const record = Buffer.alloc(128, 1);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    writeSync(fd, record);
    fdatasyncSync(fd);
  }
  const ms = performance.now() - start;
  closeSync(fd);
  return ms;
}

/**
 * Milliseconds, in total, for `count` overwrites of one 4 KB page in place, each followed by
 * `fdatasync`: what a database that rewrites a page per commit pays at least.
 */
export function overwriteFsyncMs(dir: string, count: number): number {
  const fd = openSync(join(dir, `overwrite-${count}-${process.hrtime.bigint()}`), "w");
  const page = Buffer.alloc(4096, 1);
  writeSync(fd, page, 0, page.length, 0);
  fdatasyncSync(fd);
  const start = performance.now();
  for (let i = 0; i < count; i += 1) {
    page[0] = i & 0xff;
    writeSync(fd, page, 0, page.length, 0);
    fdatasyncSync(fd);
  }
  const ms = performance.now() - start;
  closeSync(fd);
  return ms;
}
