import { describe, expect, it } from 'vitest';
import { groupBy } from '../../src/shared/collections.js';
import { eachPage } from '../../src/shared/db/keyset.js';

describe('groupBy', () => {
  it('keeps each key’s items in their order, keys in first-seen order, object keys by identity', () => {
    const a = { k: 'a' };
    const b = { k: 'b' };
    const groups = groupBy([1, 2, 3, 4, 5], (n) => (n % 2 ? a : b));
    expect([...groups.keys()]).toEqual([a, b]);
    expect(groups.get(a)).toEqual([1, 3, 5]);
    expect(groups.get(b)).toEqual([2, 4]);
  });
});

describe('eachPage', () => {
  const rows = Array.from({ length: 10 }, (_, i) => i + 1);
  const walk = async (limit: number, source = rows) => {
    const reads: Array<number | undefined> = [];
    const seen: number[][] = [];
    await eachPage(
      limit,
      async (after: number | undefined) => {
        reads.push(after);
        return source.filter((r) => after === undefined || r > after).slice(0, limit);
      },
      (last) => last,
      async (page) => void seen.push(page),
    );
    return { reads, seen };
  };

  it('reads after the last row of each page until a short page', async () => {
    const { reads, seen } = await walk(4);
    expect(reads).toEqual([undefined, 4, 8]);
    expect(seen).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  });

  it('reads once more after full pages that end exactly, and hands no empty page on', async () => {
    const { reads, seen } = await walk(5);
    expect(reads).toEqual([undefined, 5, 10]);
    expect(seen).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    expect((await walk(5, [])).seen).toEqual([]);
  });
});
