import type { StoreKind } from "./bench-store.js";

/** What a workload is judged against: `value` in the workload's unit, and which way is better. */
export interface Target {
  readonly value: number;
  readonly better: "higher" | "lower";
  /** The store (variant), or the variants, the target applies to; other variants are shown for reference. */
  readonly on?: Variant | readonly Variant[];
}

/** A variant of a workload: a store, or `"-"` for workloads that use none (sizes, HTTP). */
export type Variant = StoreKind | "-" | (string & {});

/**
 * One benchmark: a workload measured several times in a child process of its own (so that one
 * workload's garbage and JIT state never colour another's). `measure` returns one sample.
 */
export interface Workload {
  /** Row title in the table. */
  readonly title: string;
  readonly unit: string;
  readonly target?: Target;
  readonly variants: readonly Variant[];
  /** Samples to take (default: the runner's `--runs`); 1 for deterministic figures such as sizes. */
  readonly runs?: number;
  /** Unmeasured runs first, to warm up the JIT (default 1). */
  readonly warmups?: number;
  /** True when the figure is operations per second of durable steps, to be compared with the fsync floor. */
  readonly perStep?: boolean;
  /** Why a variant cannot run here (a missing browser, a missing server); the row then says so. */
  unavailable?(variant: Variant): Promise<string | undefined>;
  measure(variant: Variant): Promise<Sample>;
  /** Releases what the samples shared (a browser, a server), after the last one. */
  teardown?(): Promise<void>;
}

/** One measurement: a figure, or a figure with a note for the table (latency percentiles, a breakdown). */
export type Sample = number | { readonly value: number; readonly note: string };

/** What a workload's child process prints on its last line of stdout. */
export interface ChildReport {
  readonly samples: readonly number[];
  /** The note of each sample, when the workload gives notes. */
  readonly notes?: readonly string[];
  readonly unavailable?: string;
}

/** True when `value` meets `target`. */
export function meets(value: number, target: Target): boolean {
  return target.better === "higher" ? value >= target.value : value <= target.value;
}
