import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, toJson, valueAt } from '../metrics/histogram.ts';
import { percentileCurve } from './run-metrics.ts';

describe('percentileCurve', () => {
  it('agrees with valueAt at every quantile, and ends at the largest value', () => {
    const counts = new Array<number>(BUCKETS).fill(0);
    const values = [40, 41, 45, 60, 60, 60, 75, 90, 300, 1200, 1250, 9000, 250_000];
    for (const v of values) counts[bucketOf(v)]!++;
    const json = toJson(counts);
    const curve = percentileCurve(json);
    for (const q of [0.01, 0.2, 0.5, 0.77, 0.9, 0.95, 0.99]) {
      // step-after: the value at q is the last point at or before q.
      const step = curve.filter((point) => point.q <= q + 1e-12).at(-1)!;
      expect(step.ns, `q=${q}`).toBe(valueAt(counts, json.count, q > 0 ? q + 1e-9 : q));
    }
    expect(curve[0]).toMatchObject({ q: 0, x: 1 });
    expect(curve.at(-1)!.x).toBeCloseTo(values.length, 9);
    expect(curve.at(-1)!.ns).toBe(json.max);
    for (const point of curve) expect(point.x).toBeCloseTo(1 / (1 - point.q), 9);
  });

  it('is empty for an empty histogram', () => {
    expect(percentileCurve(toJson(new Array<number>(BUCKETS).fill(0)))).toEqual([]);
  });
});
