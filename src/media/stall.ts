/**
 * A stall deadline: rejects when `progress()` has not been called for `ms`, rather than after a
 * fixed total time. A decoder that keeps producing frames on a busy machine is never cut off; one
 * that stops (a file that hangs the demuxer) is, after `ms` of nothing.
 */
export interface Stall {
  /** Rejects with `error()` once `ms` pass without progress. */
  readonly expired: Promise<never>;
  /** Something happened: the clock starts again. */
  progress(): void;
  /** Stops the clock for good. */
  clear(): void;
  /** Whether it has fired. */
  readonly fired: boolean;
}

export function stallDeadline(ms: number, error: () => Error): Stall {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reject!: (e: Error) => void;
  let fired = false;
  const expired = new Promise<never>((_, r) => (reject = r));
  expired.catch(() => undefined); // unobserved when the work wins the race
  const arm = () => {
    clearTimeout(timer);
    if (ms === Infinity || fired) return;
    timer = setTimeout(() => {
      fired = true;
      reject(error());
    }, ms);
  };
  arm();
  return {
    expired,
    progress: arm,
    clear: () => clearTimeout(timer),
    get fired() {
      return fired;
    },
  };
}
