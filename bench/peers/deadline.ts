/** Raised when a peer does not answer in time: the bench reports the peer as hung and goes on. */
export class PeerTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`hung: no answer in ${ms / 1000} s ${what}`);
    this.name = "PeerTimeoutError";
  }
}

/**
 * `work`, or a `PeerTimeoutError` naming `what` once `ms` have passed. The work itself is not
 * cancelled (a peer's hung request stays pending until its session is stopped), but the bench no
 * longer waits on it: no peer can hang the run.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PeerTimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
