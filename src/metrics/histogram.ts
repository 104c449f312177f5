/**
 * Log-linear latency histograms, as HdrHistogram keeps them: 16 linear sub-buckets per power of two, so
 * every bucket is at most 6.25 % wide, in a fixed array of Int32 counts that a thread bumps with one plain
 * increment (a few ns). Values are integer nanoseconds; anything past ~2.1 s lands in the last bucket.
 *
 * Index of v: below 2^S it is v itself; above, with m the top bit of v and shift = m - S + 1, it is
 * (shift << (S - 1)) + (v >> shift). Consecutive powers of two then tile the index range with no gap.
 */

const S = 5;
const HALF = 1 << (S - 1);
/** Buckets for values up to 2^31 - 1 ns. */
export const BUCKETS = ((31 - S) << (S - 1)) + (1 << S);
export const HISTOGRAM_BYTES = BUCKETS * 4;

export function bucketOf(ns: number): number {
  const v = ns >= 0x7fffffff ? 0x7fffffff : ns < 0 ? 0 : ns | 0;
  if (v < 1 << S) return v;
  const shift = 31 - Math.clz32(v) - S + 1;
  return (shift << (S - 1)) + (v >>> shift);
}

/** The lowest value that falls in bucket `i`. */
export function bucketLow(i: number): number {
  if (i < 1 << S) return i;
  const shift = Math.floor(i / HALF) - 1;
  return (i - shift * HALF) * 2 ** shift;
}

/** The highest value that falls in bucket `i` (what a percentile reports: never less than the truth). */
export function bucketHigh(i: number): number {
  return i + 1 >= BUCKETS ? 0x7fffffff : bucketLow(i + 1) - 1;
}

export function record(counts: Int32Array, ns: number): void {
  counts[bucketOf(ns)]!++;
}

/** A histogram as it is stored in result files: summary figures and the non-empty buckets. */
export interface HistogramJson {
  count: number;
  /** Lower bound of the lowest non-empty bucket, ns. */
  min: number;
  /** Upper bound of the highest non-empty bucket, ns. */
  max: number;
  /** Mean of bucket midpoints, ns. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  /** [low ns, high ns, count] of every non-empty bucket, in order. */
  buckets: [number, number, number][];
}

/** Adds `from` into `into` (same length). */
export function mergeInto(into: Int32Array | number[], from: ArrayLike<number>): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i]!;
}

/** The value at quantile q (0..1): the upper bound of the bucket holding the q-th value. */
export function valueAt(counts: ArrayLike<number>, total: number, q: number): number {
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return bucketHigh(i);
  }
  return bucketHigh(counts.length - 1);
}

export function toJson(counts: ArrayLike<number>): HistogramJson {
  let total = 0;
  let sum = 0;
  const buckets: [number, number, number][] = [];
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    total += c;
    sum += c * ((bucketLow(i) + bucketHigh(i)) / 2);
    buckets.push([bucketLow(i), bucketHigh(i), c]);
  }
  return {
    count: total,
    min: buckets[0]?.[0] ?? 0,
    max: buckets.at(-1)?.[1] ?? 0,
    mean: total ? sum / total : 0,
    p50: valueAt(counts, total, 0.5),
    p90: valueAt(counts, total, 0.9),
    p99: valueAt(counts, total, 0.99),
    p999: valueAt(counts, total, 0.999),
    buckets,
  };
}
