/** Metrics: append in batches, read ranges, aggregate into windows, latest points; and their change-log entries. */
import type { MetricPoint } from '../../../src/store/types';
import {
  expectCode,
  expectRefused,
  M,
  seedModels,
  twinInput,
  useStore,
  type OpenStore,
} from '../../support/store-fixtures';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
/** ISO time `seconds` after 10:00. */
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const point = (twinId: string, name: string, seconds: number, value: MetricPoint['value']): MetricPoint => ({
  twinId,
  name,
  time: at(seconds),
  value,
});

export function metricsContract(open: OpenStore): void {
  describe('metrics', () => {
    const h = useStore(open);
    beforeEach(async () => {
      await seedModels(h.store);
      await h.store.createTwins([
        { id: 'm1', twin: twinInput(M.sensor) },
        { id: 'm2', twin: twinInput(M.room) },
      ]);
    });

    describe('appendMetrics', () => {
      it('appends a batch of points across twins and series, and says how many points and change entries it wrote', async () => {
        const result = await h.store.appendMetrics([
          point('m1', 'temp', 0, 20),
          point('m1', 'rh', 0, 40),
          point('m2', 'temp', 0, 21),
          point('m1', 'temp', 60, 20.5),
        ]);
        expect(result).toEqual({ points: 4, changes: 2 });
        expect((await h.store.counts()).metricPoints).toBe(4);
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp' })).toEqual([
          point('m1', 'temp', 0, 20),
          point('m1', 'temp', 60, 20.5),
        ]);
      });

      it('writes one Telemetry change per twin in the batch, listing its points', async () => {
        const seq = await h.store.latestSeq();
        await h.store.appendMetrics([
          point('m1', 'temp', 0, 20),
          point('m2', 'temp', 5, 21),
          point('m1', 'rh', 10, { a: 1 }),
        ]);
        const changes = await h.store.readChanges({ after: seq });
        expect(changes.map((c) => c.seq)).toEqual([seq + 1, seq + 2]);
        const m1 = changes.find((c) => c.twinId === 'm1')!;
        expect(m1).toEqual({
          seq: expect.any(Number),
          time: h.clock.iso(),
          type: 'Telemetry',
          subject: 'm1',
          modelId: M.sensor,
          twinId: 'm1',
          body: {
            points: [
              { name: 'temp', time: at(0), value: 20 },
              { name: 'rh', time: at(10), value: { a: 1 } },
            ],
          },
        });
        expect(changes.find((c) => c.twinId === 'm2')).toMatchObject({
          type: 'Telemetry',
          subject: 'm2',
          modelId: M.room,
          body: { points: [{ name: 'temp', time: at(5), value: 21 }] },
        });
      });

      it('with logPoints: false, logs per twin only how many points arrived and their time span', async () => {
        const seq = await h.store.latestSeq();
        const result = await h.store.appendMetrics(
          [point('m1', 'temp', 30, 1), point('m1', 'temp', 0, 2), point('m1', 'rh', 90, 3), point('m2', 'temp', 5, 4)],
          { logPoints: false },
        );
        expect(result).toEqual({ points: 4, changes: 2 });
        const changes = await h.store.readChanges({ after: seq });
        expect(changes.find((c) => c.twinId === 'm1')?.body).toEqual({ count: 3, from: at(0), to: at(90) });
        expect(changes.find((c) => c.twinId === 'm2')?.body).toEqual({ count: 1, from: at(5), to: at(5) });
      });

      it('writes nothing for an empty batch', async () => {
        const seq = await h.store.latestSeq();
        expect(await h.store.appendMetrics([])).toEqual({ points: 0, changes: 0 });
        expect(await h.store.latestSeq()).toBe(seq);
      });

      it('refuses a batch with a point of an unknown twin with DigitalTwinNotFound, and writes none of it', async () => {
        await expectRefused(
          h.store,
          [],
          () => h.store.appendMetrics([point('m1', 'temp', 0, 1), point('nope', 'temp', 0, 1)]),
          'DigitalTwinNotFound',
          { twinId: 'nope' },
        );
        expect((await h.store.counts()).metricPoints).toBe(0);
        expect(await h.store.latestMetrics([{ twinId: 'm1', name: 'temp' }])).toEqual([undefined]);
      });

      it.each<[string, unknown]>([
        ['a time that is not ISO', { twinId: 'm1', name: 'temp', time: 'yesterday', value: 1 }],
        ['an impossible date', { twinId: 'm1', name: 'temp', time: '2024-13-45T00:00:00Z', value: 1 }],
        ['a time that is a number', { twinId: 'm1', name: 'temp', time: T0, value: 1 }],
        ['a name with a space', { twinId: 'm1', name: 'the temp', time: at(0), value: 1 }],
        ['a $ name', { twinId: 'm1', name: '$temp', time: at(0), value: 1 }],
        ['an empty name', { twinId: 'm1', name: '', time: at(0), value: 1 }],
        ['no value', { twinId: 'm1', name: 'temp', time: at(0) }],
        ['a value that is not finite', { twinId: 'm1', name: 'temp', time: at(0), value: Number.POSITIVE_INFINITY }],
        ['no twin id', { name: 'temp', time: at(0), value: 1 }],
      ])('refuses a point with %s with InvalidArgument, and writes none of the batch', async (_, bad) => {
        await expectRefused(
          h.store,
          [],
          () => h.store.appendMetrics([point('m1', 'temp', 0, 1), bad as MetricPoint]),
          'InvalidArgument',
        );
        expect((await h.store.counts()).metricPoints).toBe(0);
      });

      it('keeps the last value written for one time: within a batch and across batches', async () => {
        await h.store.appendMetrics([point('m1', 'temp', 0, 1), point('m1', 'temp', 0, 2)]);
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp' })).toEqual([point('m1', 'temp', 0, 2)]);
        await h.store.appendMetrics([point('m1', 'temp', 0, 3)]);
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp' })).toEqual([point('m1', 'temp', 0, 3)]);
        await h.store.appendMetrics([point('m1', 'temp', 0, 'text now')]);
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp' })).toEqual([point('m1', 'temp', 0, 'text now')]);
        expect((await h.store.counts()).metricPoints).toBe(1);
      });

      it('appends large batches whole: every point, the last value per time, and nothing when a late point is bad', async () => {
        // 1,000 points of two series, interleaved, with the times of series 'temp' written twice (second value wins).
        const batch: MetricPoint[] = [];
        for (let s = 0; s < 500; s++) batch.push(point('m1', 'temp', s, s), point('m2', 'temp', s, -s));
        for (let s = 0; s < 130; s++) batch.push(point('m1', 'temp', s, s + 0.5));
        expect(await h.store.appendMetrics(batch, { logPoints: false })).toEqual({ points: 1130, changes: 2 });
        const m1 = await h.store.readMetrics({ twinId: 'm1', name: 'temp', limit: 1000 });
        expect(m1).toHaveLength(500);
        expect(m1.slice(0, 130).every((p, s) => p.value === s + 0.5)).toBe(true);
        expect(m1.slice(130).every((p, s) => p.value === s + 130)).toBe(true);
        expect(await h.store.readMetrics({ twinId: 'm2', name: 'temp', limit: 1000 })).toHaveLength(500);

        const late = [
          ...Array.from({ length: 300 }, (_, s) => point('m1', 'rh', s, s)),
          point('m1', 'rh', 300, Number.NaN),
        ];
        await expectRefused(h.store, [], () => h.store.appendMetrics(late), 'InvalidArgument');
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'rh' })).toEqual([]);
      });

      it('keeps non-numeric values as they were written', async () => {
        const values: MetricPoint['value'][] = [
          { lat: 59.9, lon: 10.7, tags: ['a'] },
          'open',
          true,
          false,
          [1, 2, 3],
          null,
          0,
          -1.25,
        ];
        await h.store.appendMetrics(values.map((v, i) => point('m1', 'state', i, v)));
        expect((await h.store.readMetrics({ twinId: 'm1', name: 'state' })).map((p) => p.value)).toEqual(values);
      });

      it('keeps times to the millisecond and returns them in UTC', async () => {
        await h.store.appendMetrics([
          { twinId: 'm1', name: 'temp', time: '2024-05-01T12:00:00.123+02:00', value: 1 },
          { twinId: 'm1', name: 'temp', time: '2024-05-01T10:00:01Z', value: 2 },
        ]);
        expect((await h.store.readMetrics({ twinId: 'm1', name: 'temp' })).map((p) => p.time)).toEqual([
          '2024-05-01T10:00:00.123Z',
          '2024-05-01T10:00:01.000Z',
        ]);
      });
    });

    describe('readMetrics', () => {
      beforeEach(() => h.store.appendMetrics([0, 10, 20, 30, 40].map((s) => point('m1', 'temp', s, s / 10))));

      it('reads a range from its inclusive start to its exclusive end, oldest first', async () => {
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp', from: at(10), to: at(30) })).toEqual([
          point('m1', 'temp', 10, 1),
          point('m1', 'temp', 20, 2),
        ]);
        expect((await h.store.readMetrics({ twinId: 'm1', name: 'temp', from: at(11) })).map((p) => p.value)).toEqual([
          2, 3, 4,
        ]);
        expect((await h.store.readMetrics({ twinId: 'm1', name: 'temp', to: at(10) })).map((p) => p.value)).toEqual([
          0,
        ]);
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'temp', from: at(20), to: at(20) })).toEqual([]);
      });

      it('reads newest first when descending, and at most limit points from the start of that order', async () => {
        expect(
          (await h.store.readMetrics({ twinId: 'm1', name: 'temp', descending: true })).map((p) => p.value),
        ).toEqual([4, 3, 2, 1, 0]);
        expect(
          (await h.store.readMetrics({ twinId: 'm1', name: 'temp', descending: true, limit: 2 })).map((p) => p.value),
        ).toEqual([4, 3]);
        expect((await h.store.readMetrics({ twinId: 'm1', name: 'temp', limit: 2 })).map((p) => p.value)).toEqual([
          0, 1,
        ]);
        expect(
          (await h.store.readMetrics({ twinId: 'm1', name: 'temp', to: at(30), descending: true, limit: 1 })).map(
            (p) => p.value,
          ),
        ).toEqual([2]);
      });

      it('returns nothing for a series the twin does not have, and DigitalTwinNotFound for an unknown twin', async () => {
        expect(await h.store.readMetrics({ twinId: 'm1', name: 'other' })).toEqual([]);
        expect(await h.store.readMetrics({ twinId: 'm2', name: 'temp' })).toEqual([]);
        await expectCode(h.store.readMetrics({ twinId: 'nope', name: 'temp' }), 'DigitalTwinNotFound', {
          twinId: 'nope',
        });
      });

      it('refuses a bad time or limit with InvalidArgument', async () => {
        await expectCode(h.store.readMetrics({ twinId: 'm1', name: 'temp', from: 'soon' }), 'InvalidArgument');
        await expectCode(h.store.readMetrics({ twinId: 'm1', name: 'temp', limit: 0 }), 'InvalidArgument');
      });
    });

    describe('aggregateMetrics', () => {
      beforeEach(() =>
        h.store.appendMetrics([
          point('m1', 'temp', 0, 1),
          point('m1', 'temp', 30, 3),
          // 10:01 has no points.
          point('m1', 'temp', 130, 10),
          point('m1', 'temp', 170, 'sensor fault'),
          point('m1', 'temp', 180, 99),
          point('m2', 'temp', 15, 5),
        ]),
      );

      it('aggregates numeric points into windows starting at from, leaving out windows without points', async () => {
        const [windows] = await h.store.aggregateMetrics({
          series: [{ twinId: 'm1', name: 'temp' }],
          from: at(0),
          to: at(180),
          windowMs: 60_000,
        });
        expect(windows).toEqual([
          { start: at(0), count: 2, min: 1, max: 3, avg: 2, sum: 4, last: 3, lastTime: at(30) },
          { start: at(120), count: 1, min: 10, max: 10, avg: 10, sum: 10, last: 10, lastTime: at(130) },
        ]);
      });

      it('aligns windows to from, not to the clock', async () => {
        const [windows] = await h.store.aggregateMetrics({
          series: [{ twinId: 'm1', name: 'temp' }],
          from: at(15),
          to: at(135),
          windowMs: 60_000,
        });
        expect(windows.map((w) => [w.start, w.count, w.sum])).toEqual([
          [at(15), 1, 3],
          [at(75), 1, 10],
        ]);
      });

      it('makes one window of the whole range when no window length is given', async () => {
        const [windows] = await h.store.aggregateMetrics({
          series: [{ twinId: 'm1', name: 'temp' }],
          from: at(0),
          to: at(3600),
        });
        expect(windows).toEqual([
          { start: at(0), count: 4, min: 1, max: 99, avg: 28.25, sum: 113, last: 99, lastTime: at(180) },
        ]);
      });

      it('answers one list per series, in the order asked, empty for series without points', async () => {
        const result = await h.store.aggregateMetrics({
          series: [
            { twinId: 'm2', name: 'temp' },
            { twinId: 'm1', name: 'nothing' },
            { twinId: 'm1', name: 'temp' },
          ],
          from: at(0),
          to: at(60),
        });
        expect(result.map((windows) => windows.map((w) => w.sum))).toEqual([[5], [], [4]]);
      });

      it('refuses an empty or reversed range, or a window that is not a positive whole number of milliseconds, with InvalidArgument', async () => {
        const series = [{ twinId: 'm1', name: 'temp' }];
        await expectCode(h.store.aggregateMetrics({ series, from: at(60), to: at(60) }), 'InvalidArgument');
        await expectCode(h.store.aggregateMetrics({ series, from: at(60), to: at(0) }), 'InvalidArgument');
        await expectCode(h.store.aggregateMetrics({ series, from: at(0), to: at(60), windowMs: 0 }), 'InvalidArgument');
        await expectCode(
          h.store.aggregateMetrics({ series, from: at(0), to: at(60), windowMs: 1.5 }),
          'InvalidArgument',
        );
        await expectCode(h.store.aggregateMetrics({ series, from: 'then', to: at(60) }), 'InvalidArgument');
      });
    });

    describe('latestMetrics', () => {
      it('returns the newest point of each series, in the order asked, undefined where there is none', async () => {
        await h.store.appendMetrics([
          point('m1', 'temp', 60, 2),
          point('m1', 'temp', 0, 1),
          point('m2', 'temp', 0, 'on'),
          point('m1', 'rh', 5, 40),
        ]);
        await h.store.appendMetrics([point('m1', 'temp', 30, 1.5)]);
        expect(
          await h.store.latestMetrics([
            { twinId: 'm2', name: 'temp' },
            { twinId: 'm1', name: 'temp' },
            { twinId: 'm1', name: 'none' },
            { twinId: 'nope', name: 'temp' },
            { twinId: 'm1', name: 'rh' },
          ]),
        ).toEqual([
          point('m2', 'temp', 0, 'on'),
          point('m1', 'temp', 60, 2),
          undefined,
          undefined,
          point('m1', 'rh', 5, 40),
        ]);
      });
    });
  });
}
