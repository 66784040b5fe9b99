/** One engine measured by `npm run bench:peers`: started once, then timed on the same workload several times. */
export interface Peer {
  /** Name and version, as the table shows them. */
  readonly name: string;
  /** How it runs here: store, durability, process layout. */
  readonly setup: string;
  /** Starts what the peer needs (servers, databases); resolves to a session that runs the workload. */
  start(): Promise<PeerSession>;
}

/** A started peer. */
export interface PeerSession {
  /** Runs one new execution of `steps` sequential no-op durable steps to its end; resolves to seconds elapsed. */
  run(steps: number): Promise<number>;
  /**
   * The processes whose fsync/fdatasync calls are this engine's (every server it started, and
   * this process when the engine or its SDK runs in it): `bench:peers` counts them over a run.
   */
  processes(): number[];
  /** Stops what `start` started and removes its files. */
  stop(): Promise<void>;
}

/** Seconds since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
