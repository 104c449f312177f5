/** How figures read on pages, in chart labels and in tables: one way for each kind of number. */

/** 5941248 -> "5,941,248". */
export const formatInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Latencies are whole nanoseconds (bucket bounds); timer floors are medians and may not be. */
export const formatNs = (ns: number): string => `${formatInt(ns)} ns`;

/** Per-operation rates: 0.0188, 40.8, 0; three significant digits, whole numbers from 100 up. */
export function formatPerOp(n: number): string {
  if (n === 0) return '0';
  return n >= 100 ? formatInt(n) : Number(n.toPrecision(3)).toString();
}

/** A B/A ratio: "0.93x"; "-" when either side has no figure. */
export const formatRatio = (ratio: number | null): string => (ratio === null ? '-' : `${ratio.toFixed(2)}x`);

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
