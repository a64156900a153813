interface Entry {
  readonly wrapped: Buffer;
  readonly wrappedBy: string;
  readonly key: Buffer;
}

/**
 * Data keys already unwrapped, each under the wrapped value it came from, so that reading the same
 * streams again costs no unwrap (about 10 µs a key). It is asked only with a row just read from the
 * table: a key erased anywhere has no row to ask with, so erasure needs no invalidation across
 * processes, and a key re-wrapped by a rotation is a new wrapped value, unwrapped once more.
 * Holds the most recently used `capacity` streams' keys.
 */
export class UnwrappedKeys {
  private readonly streams = new Map<string, Map<number, Entry>>();

  constructor(private readonly capacity: number) {}

  get(streamId: string, generation: number, wrapped: Buffer, wrappedBy: string): Buffer | undefined {
    const keys = this.streams.get(streamId);
    const entry = keys?.get(generation);
    if (!keys || !entry || entry.wrappedBy !== wrappedBy || !entry.wrapped.equals(wrapped)) return undefined;
    this.touch(streamId, keys);
    return entry.key;
  }

  set(streamId: string, generation: number, wrapped: Buffer, wrappedBy: string, key: Buffer): void {
    const keys = this.streams.get(streamId) ?? new Map<number, Entry>();
    keys.set(generation, { wrapped, wrappedBy, key });
    this.touch(streamId, keys);
    // A Map iterates in insertion order: the first stream is the least recently used.
    if (this.streams.size > this.capacity) this.streams.delete(this.streams.keys().next().value ?? streamId);
  }

  /** Drops a stream's keys at once (an erasure here), rather than when they are evicted. */
  forget(streamId: string): void {
    this.streams.delete(streamId);
  }

  get size(): number {
    return this.streams.size;
  }

  private touch(streamId: string, keys: Map<number, Entry>): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, keys);
  }
}
