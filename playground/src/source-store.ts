import { openDB, type IDBPDatabase } from "idb";

/** The code an execution was started with: what is needed to resume or replay it after a reload. */
export interface SourceRecord {
  /** The top-level execution; its subworkflows (ids `<id>.<step>`) share its source. */
  readonly executionId: string;
  /** The gallery example it came from, if any. */
  readonly exampleId?: string;
  readonly title: string;
  /** TypeScript source, as it was in the editor at Run. */
  readonly source: string;
  /** The input box's text at Run. */
  readonly input: string;
  readonly savedAt: number;
}

const DB_NAME = "flux-playground";
const STORE = "sources";

/**
 * The playground's own small IndexedDB database (apart from the engine's store, which holds
 * only events): the source each execution ran, keyed by execution id. Written before the run
 * starts, so any execution found in the engine's store after a reload has its code here.
 */
export class SourceStore {
  readonly #db: Promise<IDBPDatabase>;

  constructor(name = DB_NAME) {
    this.#db = openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore(STORE, { keyPath: "executionId" });
      },
    });
  }

  /** Records (or replaces) the source of an execution. */
  async save(record: SourceRecord): Promise<void> {
    await (await this.#db).put(STORE, record);
  }

  /** The source of `executionId`, or of the top-level execution it is a subworkflow of. */
  async find(executionId: string): Promise<SourceRecord | undefined> {
    const db = await this.#db;
    for (let id = executionId; ; id = id.slice(0, id.lastIndexOf("."))) {
      const record = (await db.get(STORE, id)) as SourceRecord | undefined;
      if (record !== undefined || !id.includes(".")) return record;
    }
  }

  /** Forgets every execution's source. */
  async clear(): Promise<void> {
    await (await this.#db).clear(STORE);
  }
}
