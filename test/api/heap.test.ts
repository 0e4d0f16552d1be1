/**
 * V8's old-generation growing factor (src/heap.ts, TWINGRAPH_HEAP_GROWING_PERCENT): the configured percent
 * becomes V8's flag, unless node was started with its own, and 0 leaves V8's heuristics alone. The entry point
 * sets it before anything is compiled (bin/twingraph.js): test/cli/warm-caches.test.ts checks that a start's
 * compiled-code cache still serves the next start, which a flag set later made it refuse.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { applyHeapGrowing, heapGrowingPercentOf } from '../../src/heap';

function applied(percent: number | undefined, nodeArgs: string[]): { outcome: string; flags: string[] } {
  const flags: string[] = [];
  const outcome = applyHeapGrowing(percent, nodeArgs, (f) => void flags.push(f));
  return { outcome, flags };
}

describe('applyHeapGrowing', () => {
  it('sets V8 growing factor to 1 + percent / 100', () => {
    expect(applied(50, [])).toEqual({ outcome: 'set', flags: ['--heap-growing-percent=50'] });
  });

  it('leaves V8 its own factor at 0, and for a value the configuration refuses', () => {
    expect(applied(0, [])).toEqual({ outcome: 'v8 default', flags: [] });
    expect(applied(undefined, [])).toEqual({ outcome: 'v8 default', flags: [] });
  });

  it.each([['--heap-growing-percent=20'], ['--heap_growing_percent=0'], ['--heap-growing-percent']])(
    'leaves the factor to node when it was started with %s',
    (flag) => {
      expect(applied(50, ['--enable-source-maps', flag])).toEqual({ outcome: 'node flag', flags: [] });
    },
  );

  it('is not misled by a flag that only starts alike', () => {
    expect(applied(50, ['--heap-growing-percentage=5'])).toEqual({
      outcome: 'set',
      flags: ['--heap-growing-percent=50'],
    });
  });

  it('sets the flag in a running process by default, without stopping it', () => {
    // The default setter is v8.setFlagsFromString: a flag V8 refused or froze would abort or throw here.
    const script = `require(${JSON.stringify(path.join(__dirname, '../../src/heap.ts'))}).applyHeapGrowing(50, []);
      const a = []; for (let i = 0; i < 200000; i++) a.push({ i }); console.log('ok ' + a.length);`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('ok 200000');
  });
});

describe('heapGrowingPercentOf', () => {
  it('reads TWINGRAPH_HEAP_GROWING_PERCENT, 100 when unset or empty', () => {
    expect(heapGrowingPercentOf({})).toBe(100);
    expect(heapGrowingPercentOf({ TWINGRAPH_HEAP_GROWING_PERCENT: '' })).toBe(100);
    expect(heapGrowingPercentOf({ TWINGRAPH_HEAP_GROWING_PERCENT: '0' })).toBe(0);
    expect(heapGrowingPercentOf({ TWINGRAPH_HEAP_GROWING_PERCENT: '50' })).toBe(50);
    expect(heapGrowingPercentOf({ TWINGRAPH_HEAP_GROWING_PERCENT: '1000' })).toBe(1000);
  });

  it.each(['1.5', '-1', '1001', 'lots', ' 50'])('applies nothing for %j, which the configuration refuses', (value) => {
    expect(heapGrowingPercentOf({ TWINGRAPH_HEAP_GROWING_PERCENT: value })).toBeUndefined();
  });
});
