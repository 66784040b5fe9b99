import { UsageError } from "./errors.js";
import { task, type Task } from "./task.js";

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly when: (result: unknown) => boolean;
}

/**
 * A directed graph of tasks, run as one step whose nodes are nested steps: the start node gets
 * the input, each node passes its result to the nodes its edges lead to (edges with a condition
 * only when it holds), and the end node's result is the graph's. Nodes run in breadth-first
 * order, one at a time, so replay is deterministic.
 *
 * @example
 * const g = new Graph<string, string>("greet")
 *   .addNode("get_name", getName).addNode("say_hello", sayHello)
 *   .addEdge("get_name", "say_hello").startWith("get_name").endWith("say_hello");
 * const greeting = await ctx.run(g, "World");
 */
export class Graph<I = unknown, O = unknown> {
  readonly #nodes = new Map<string, Task<[never], unknown>>();
  readonly #edges: Edge[] = [];
  #start?: string;
  #end?: string;
  #task?: Task<[I], O>;

  constructor(readonly name: string) {}

  /** Adds a node that runs `node` with the result of the node before it. */
  addNode(name: string, node: Task<[never], unknown>): this {
    if (this.#nodes.has(name)) throw new UsageError(`graph "${this.name}" already has a node "${name}"`);
    this.#nodes.set(name, node);
    return this;
  }

  /** Adds an edge; with `when`, it is followed only if `when(result of from)` is true. */
  addEdge(from: string, to: string, when: (result: unknown) => boolean = () => true): this {
    this.#edges.push({ from, to, when });
    return this;
  }

  startWith(name: string): this {
    this.#start = name;
    return this;
  }

  endWith(name: string): this {
    this.#end = name;
    return this;
  }

  /** The graph as a task (validated on first use). */
  get task(): Task<[I], O> {
    return (this.#task ??= this.#build());
  }

  #build(): Task<[I], O> {
    const where = `graph "${this.name}"`;
    if (this.#start === undefined || this.#end === undefined) throw new UsageError(`${where} needs startWith() and endWith()`);
    for (const name of [this.#start, this.#end, ...this.#edges.flatMap((e) => [e.from, e.to])]) {
      if (!this.#nodes.has(name)) throw new UsageError(`${where} refers to the node "${name}", which was never added`);
    }
    const start = this.#start;
    const end = this.#end;
    return task.withContext<[I], O>(this.name, async (tc, input) => {
      const queue: { node: string; input: unknown }[] = [{ node: start, input }];
      const done = new Map<string, unknown>();
      while (queue.length > 0) {
        const { node, input: value } = queue.shift()!;
        if (done.has(node)) continue;
        const result = await tc.run(this.#nodes.get(node) as Task<[unknown], unknown>, value);
        done.set(node, result);
        if (node === end) return result as O;
        for (const edge of this.#edges) if (edge.from === node && edge.when(result)) queue.push({ node: edge.to, input: result });
      }
      throw new UsageError(`${where} finished without reaching its end node "${end}": no edge's condition led there`);
    });
  }
}
