/**
 * The SQLite adapter's cache of parsed twins stays within its size: each twin added to a full cache drops the
 * oldest one (`evictor`, used for each run of additions, a commit's twins or a read's).
 */
import { evictor } from '../../src/store/sqlite/twins';

const filled = (ids: string[]): Map<string, number> => new Map(ids.map((id, i) => [id, i]));

describe('evictor', () => {
  it('drops the oldest entry for each one added to a full cache, and nothing while there is room', () => {
    const cache = filled(['a', 'b']);
    const evict = evictor(cache, 3);
    evict();
    expect([...cache.keys()]).toEqual(['a', 'b']);
    cache.set('c', 2);
    for (const id of ['d', 'e']) {
      evict();
      cache.set(id, 0);
    }
    expect([...cache.keys()]).toEqual(['c', 'd', 'e']);
  });

  it('drops entries in the order they were last added: one re-added meanwhile is among the newest', () => {
    const cache = filled(['a', 'b', 'c', 'd']);
    const evict = evictor(cache, 4);
    evict();
    cache.set('e', 0);
    // 'b' written again: deleted and added anew, as the store does.
    cache.delete('b');
    evict();
    cache.set('b', 1);
    evict();
    cache.set('f', 0);
    expect([...cache.keys()]).toEqual(['d', 'e', 'b', 'f']);
  });
});
