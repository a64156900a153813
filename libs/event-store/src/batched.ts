const NOT_READY = Symbol('not ready');

/**
 * Groups what an async iterable has ready into arrays of at most `max`: while catching up, events
 * arrive a page at a time and batches fill; when live, each batch holds what has arrived, without
 * waiting for more.
 */
export async function* batched<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      while (batch.length < max) {
        // Ready means resolved within this turn of the event loop (before the next macrotask).
        const next = await Promise.race([pending, new Promise<typeof NOT_READY>((resolve) => setImmediate(resolve, NOT_READY))]);
        if (next === NOT_READY) break;
        if (next.done) {
          yield batch;
          return;
        }
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
    }
  } finally {
    await iterator.return?.();
  }
}
