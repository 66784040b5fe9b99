import { MemoryStore } from "../src/memory-store.js";
import { testStateStore } from "./store-conformance.js";

testStateStore({
  name: "memory",
  create: async () => new MemoryStore(),
  skip: [
    { reason: "the memory store keeps nothing once closed", tests: ["keeps data after close and reopen", "keeps waits, wake times, parents and leases across reopen", "keeps inboxes and cancellations across reopen"] },
    { reason: "a memory store has no second handle on its data", tests: ["lets exactly one of two handles on the same data win, commits and leases", "concurrent admissions through two handles never exceed the limit"] },
  ],
});
