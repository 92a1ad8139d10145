/**
 * Interleaves the items of several lazily-opened async iterators.
 *
 * - At most `maxOpen` iterators are open at once (each is an open result set on the warehouse);
 *   the next one is opened only when one finishes.
 * - Read-ahead is bounded to ONE item overall: besides the pull being served, at most one other
 *   `next()` is in flight. A stalled consumer therefore holds at most one fetched item beyond what
 *   it pulled, while two tables' fetches still overlap when the consumer keeps up.
 * - Finishing early (`return()`) closes every open iterator (their `finally` blocks run).
 */
export async function* lazyMerge<T>(
  factories: Iterable<() => AsyncIterator<T>>,
  maxOpen: number,
): AsyncGenerator<T, void, undefined> {
  const pendingFactories = factories[Symbol.iterator]();
  interface Lane {
    readonly it: AsyncIterator<T>;
    pending: Promise<Settled> | undefined;
  }
  type Settled = { lane: Lane; result: IteratorResult<T> } | { lane: Lane; error: unknown };
  const lanes: Lane[] = [];
  let rotation = 0;
  let factoriesDone = false;

  const openLane = (): Lane | undefined => {
    if (factoriesDone || lanes.length >= maxOpen) return undefined;
    const next = pendingFactories.next();
    if (next.done) {
      factoriesDone = true;
      return undefined;
    }
    const lane: Lane = { it: next.value(), pending: undefined };
    lanes.push(lane);
    return lane;
  };

  /** An open lane without a request in flight (round robin), else a newly opened one. */
  const idleLane = (): Lane | undefined => {
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[(rotation + i) % lanes.length]!;
      if (!lane.pending) {
        rotation = (rotation + i + 1) % Math.max(1, lanes.length);
        return lane;
      }
    }
    return openLane();
  };

  const start = (lane: Lane): void => {
    lane.pending = lane.it.next().then(
      (result) => ({ lane, result }),
      (error: unknown) => ({ lane, error }),
    );
  };

  try {
    while (true) {
      // One request for this pull (unless one is already running), plus at most one read-ahead.
      const inFlight = lanes.filter((l) => l.pending).length;
      for (let want = Math.max(0, 2 - inFlight); want > 0; want--) {
        const lane = idleLane();
        if (!lane) break;
        start(lane);
      }
      const pending = lanes.flatMap((l) => (l.pending ? [l.pending] : []));
      if (pending.length === 0) return; // every lane finished and no factory is left
      const settled = await Promise.race(pending);
      settled.lane.pending = undefined;
      if ("error" in settled) {
        lanes.splice(lanes.indexOf(settled.lane), 1);
        throw settled.error;
      }
      if (settled.result.done) {
        lanes.splice(lanes.indexOf(settled.lane), 1);
        continue;
      }
      yield settled.result.value;
    }
  } finally {
    // Let in-flight requests land, then close every lane (runs each generator's cleanup).
    await Promise.allSettled(lanes.map((l) => l.pending));
    await Promise.allSettled(lanes.map((l) => l.it.return?.()));
  }
}
