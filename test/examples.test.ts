import { MemoryStore } from "flux-ts";
import { testExamples } from "./example-cases.js";

testExamples("the memory store", () => new MemoryStore());
