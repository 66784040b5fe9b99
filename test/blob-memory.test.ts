import { MemoryBlobStore } from "../src/blobs/memory-blob-store.js";
import { testBlobStore } from "./blob-conformance.js";

testBlobStore({
  name: "memory",
  open: async () => new MemoryBlobStore(),
  skip: [{ reason: "keeps its blobs in this realm's memory only: a new store starts empty", tests: ["keeps blobs and deletions across close and reopen"] }],
});
