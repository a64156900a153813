import { addInto, appendTo, byKeys, distinct, keyOf } from './batch-sql.js';

describe('batch helpers', () => {
  it('keys by several parts without a separator a part could forge', () => {
    expect(keyOf('a', 'b')).not.toBe(keyOf('a","b'));
    expect(keyOf('a', 1)).toBe('["a",1]');
  });

  it('lists distinct defined values in first-seen order', () => {
    expect(distinct(['b', undefined, 'a', 'b'])).toEqual(['b', 'a']);
  });

  it('adds increments into counters, starting from the initial row', () => {
    const map = new Map<string, { id: string; calls: number; deals: number }>();
    addInto(map, 'r', () => ({ id: 'r', calls: 0, deals: 0 }), { calls: 1 });
    addInto(map, 'r', () => ({ id: 'r', calls: 0, deals: 0 }), { calls: 2, deals: 1 });
    expect(map.get('r')).toEqual({ id: 'r', calls: 3, deals: 1 });
  });

  it('appends to a new list, leaving the one handed out before as it was', () => {
    const map = new Map<string, number[]>();
    appendTo(map, 'k', 1);
    const before = map.get('k');
    appendTo(map, 'k', 2);
    expect(before).toEqual([1]);
    expect(map.get('k')).toEqual([1, 2]);
  });

  it('loads nothing without a key', async () => {
    const asked: (readonly string[])[] = [];
    const load = async (keys: readonly string[]) => {
      asked.push(keys);
      return keys.map((key) => ({ key }));
    };
    expect(await byKeys([], load)).toEqual([]);
    expect(asked).toEqual([]);
    expect(await byKeys(['a'], load)).toEqual([{ key: 'a' }]);
  });
});
