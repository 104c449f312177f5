/**
 * The shape every fixed layout of shared memory has: one `as const` object per structure, checked by
 * src/layouts.test.ts (no two fields share a byte, every field lies inside `bytes`, every field is
 * aligned for its element type).
 *
 * Fields are grouped by the typed array the code reads them through, and numbered in that array's
 * elements, which is what hot paths index with (`slot[SlotLayout.i32.turn]`). A field is one element, or
 * a run of `length` elements from `index`. Its bytes are `index * size` to `(index + length) * size`,
 * so an Int32 field and a Float64 field over the same bytes show as overlapping ranges, and a run whose
 * start is not a whole number of elements (a Float64 region placed at an odd Int32 boundary) shows as
 * misaligned.
 */
export type LayoutField = number | { readonly index: number; readonly length: number };

/** Bytes per element of each group. */
export const layoutElementBytes = { u8: 1, i32: 4, f64: 8 } as const;
export type LayoutElement = keyof typeof layoutElementBytes;

export type SharedLayout = {
  /** Bytes the structure takes; where it repeats (one per thread, per block), also its stride. */
  readonly bytes: number;
} & { readonly [E in LayoutElement]?: { readonly [field: string]: LayoutField } };
