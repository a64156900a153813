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
    async function* slow() {
      yield 1;
      yield 2;
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield 3;
    }
    expect(await collect(batched(slow(), 10))).toEqual([[1, 2], [3]]);
  });

  it('ends an empty source without a batch', async () => {
    async function* empty() {}
    expect(await collect(batched(empty(), 5))).toEqual([]);
  });
});
