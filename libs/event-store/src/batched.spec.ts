import { batched } from './batched.js';

async function collect<T>(source: AsyncIterable<T[]>): Promise<T[][]> {
  const batches: T[][] = [];
  for await (const batch of source) batches.push(batch);
  return batches;
}

describe('batching what is ready', () => {
  it('fills batches up to the maximum from a source that has everything ready', async () => {
    async function* ready() {
      for (let i = 1; i <= 7; i++) yield i;
    }
    expect(await collect(batched(ready(), 3))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('does not wait for more once the source has to wait', async () => {
    // The source waits on a gate opened only after the first batch is out, so no timing is involved.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    async function* slow() {
      yield 1;
      yield 2;
      await gate;
      yield 3;
    }
    const batches = batched(slow(), 10);
    expect(await batches.next()).toEqual({ done: false, value: [1, 2] });
    open();
    expect(await batches.next()).toEqual({ done: false, value: [3] });
    expect(await batches.next()).toEqual({ done: true, value: undefined });
  });

  it('ends an empty source without a batch', async () => {
    async function* empty() {}
    expect(await collect(batched(empty(), 5))).toEqual([]);
  });
});
