import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketHigh, bucketLow, bucketOf, record, toJson, valueAt } from './histogram.ts';

describe('log-linear histogram', () => {
  it('tiles 0 .. 2^31 - 1 with contiguous buckets, none wider than 1/16 of its value', () => {
    expect(bucketLow(0)).toBe(0);
    for (let i = 1; i < BUCKETS; i++) expect(bucketLow(i)).toBe(bucketHigh(i - 1) + 1);
    expect(bucketHigh(BUCKETS - 1)).toBe(0x7fffffff);
    for (let i = 32; i < BUCKETS; i++) expect((bucketHigh(i) - bucketLow(i) + 1) / bucketLow(i)).toBeLessThanOrEqual(1 / 16);
  });

  it('puts every value in the bucket whose bounds hold it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (v) => {
        const i = bucketOf(v);
        return bucketLow(i) <= v && v <= bucketHigh(i);
      }),
    );
    expect(bucketOf(1e12)).toBe(BUCKETS - 1);
    expect(bucketOf(-5)).toBe(0);
  });

  it('reports percentiles as the upper bound of the bucket that holds them', () => {
    const counts = new Int32Array(BUCKETS);
    for (let v = 1; v <= 1000; v++) record(counts, v * 100); // 100 ns .. 100 µs, uniform
    expect(valueAt(counts, 1000, 0.5)).toBeGreaterThanOrEqual(50_000);
    expect(valueAt(counts, 1000, 0.5)).toBeLessThan(50_000 * 1.07);
    const json = toJson(counts);
    expect(json.count).toBe(1000);
    expect(json.p99).toBeGreaterThanOrEqual(99_000);
    expect(json.p999).toBeGreaterThanOrEqual(99_900);
    expect(json.min).toBeLessThanOrEqual(100);
    expect(json.buckets.reduce((sum, [, , count]) => sum + count, 0)).toBe(1000);
  });
});
