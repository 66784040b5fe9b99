import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
const profile = mkdtempSync("/tmp/idbexp-");
const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
await context.route("https://x.test/**", (r) => r.fulfill({ contentType: "text/html", body: "<!doctype html><title>x</title>" }));
const page = context.pages()[0] ?? await context.newPage();
await page.goto("https://x.test/");
await page.addScriptTag({ content: `
  let n = 0;
  const open = () => new Promise((res, rej) => {
    const r = indexedDB.open(\`exp-\${n++}\`, 1);
    r.onupgradeneeded = () => { const db = r.result; db.createObjectStore("log"); db.createObjectStore("executions", { keyPath: "executionId" }); db.createObjectStore("events", { keyPath: ["executionId", "id"] }); const x = db.createObjectStore("indexed", { keyPath: "executionId" }); x.createIndex("newest", ["createdAt", "executionId"]); x.createIndex("byWorkflow", ["workflow", "createdAt", "executionId"]); x.createIndex("byState", ["state", "createdAt", "executionId"]); x.createIndex("byWorkflowState", ["workflow", "state", "createdAt", "executionId"]); x.createIndex("byWake", ["wakeAt", "executionId"]); };
    r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error);
  });
  const summary = (seq) => ({ executionId: "e", workflow: "sequential_1000", state: "running", seq, createdAt: Date.now(), updatedAt: Date.now(), lease: { owner: "abcdef-1234", expiresAt: Date.now() + 30000 }, wakeAt: undefined });
  const rec = (id) => ({ executionId: "e", id, events: [{ t: 3, s: String(id), n: "noop", v: String(id), time: Date.now() }, { t: 4, s: String(id), n: "noop", v: String(id), time: Date.now() }] });
  const done = (tx) => new Promise((res, rej) => { tx.oncomplete = () => res(); tx.onabort = () => rej(tx.error); });
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const variants = {
    floor: async (db, i) => { const tx = db.transaction("log", "readwrite", { durability: "strict" }); tx.objectStore("log").put({ step: i }, i); await done(tx); },
    addOnly: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); tx.objectStore("events").add(rec(i)); await done(tx); },
    addPut: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); tx.objectStore("events").add(rec(i)); tx.objectStore("executions").put(summary(i)); await done(tx); },
    addPutCommit: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); tx.objectStore("events").add(rec(i)); tx.objectStore("executions").put(summary(i)); tx.commit(); await done(tx); },
    getAddPutAll: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); const g = req(tx.objectStore("executions").get("e")); tx.objectStore("events").add(rec(i)); tx.objectStore("executions").put(summary(i)); await g; tx.commit(); await done(tx); },
    getThenAddPut: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); await req(tx.objectStore("executions").get("e")); tx.objectStore("events").add(rec(i)); tx.objectStore("executions").put(summary(i)); tx.commit(); await done(tx); },
    addPutIdx: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); tx.objectStore("events").add(rec(i)); tx.objectStore("indexed").put(summary(i)); tx.commit(); await done(tx); },
    putIdxOnly: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); tx.objectStore("indexed").put(summary(i)); tx.commit(); await done(tx); },
    readsAdd: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); const g = req(tx.objectStore("indexed").get("e")); const c = req(tx.objectStore("events").openCursor(IDBKeyRange.bound(["e", 0], ["e", Infinity]), "prev")); tx.objectStore("events").add(rec(i)); await g; await c; tx.commit(); await done(tx); },
    readsAddSeq: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); const g = req(tx.objectStore("indexed").get("e")); const c = req(tx.objectStore("events").openCursor(IDBKeyRange.bound(["e", 0], ["e", Infinity]), "prev")); await g; await c; tx.objectStore("events").add(rec(i)); tx.commit(); await done(tx); },
    getGetAdd: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); const g = req(tx.objectStore("indexed").get("e")); const c = req(tx.objectStore("events").get(["e", i - 1])); tx.objectStore("events").add(rec(i)); await g; await c; tx.commit(); await done(tx); },
    getAddPutIdx: async (db, i) => { const tx = db.transaction(["events", "indexed"], "readwrite", { durability: "strict" }); const g = req(tx.objectStore("indexed").get("e")); tx.objectStore("events").add(rec(i)); tx.objectStore("indexed").put(summary(i)); await g; tx.commit(); await done(tx); },
    onePutBoth: async (db, i) => { const tx = db.transaction(["events", "executions"], "readwrite", { durability: "strict" }); tx.objectStore("events").add({ ...rec(i), summary: summary(i) }); tx.commit(); await done(tx); },
  };
  globalThis.exp = async (name, count) => {
    const db = await open(); const f = variants[name];
    const t = performance.now(); for (let i = 0; i < count; i++) await f(db, i); const s = (performance.now() - t) / 1000; db.close(); return count / s;
  };
` });
const names = ["floor", "addOnly", "getGetAdd", "getAddPutIdx", "floor"];
const sums: Record<string, number[]> = {};
for (let round = 0; round < 7; round++) for (const n of names) { const r = await page.evaluate(([n]) => (globalThis as any).exp(n, 500), [n]); (sums[n] ??= []).push(r); }
for (const n of names) { const v = sums[n]!.slice(1); const mean = v.reduce((a, b) => a + b) / v.length; console.log(n.padEnd(16), v.map((x) => x.toFixed(0)).join(" "), "mean", mean.toFixed(0), "÷floor", (mean / (sums.floor!.slice(1).reduce((a, b) => a + b) / 6)).toFixed(2)); }
await context.close(); rmSync(profile, { recursive: true, force: true });
