/**
 * Typed arrays by code: how a location (an array type and an element index into the subject's buffer)
 * is named in shared bookkeeping, a controlled slot or a program stress round's wait record alike, so
 * that both drivers and the traces read the same `i32[16]`.
 */
/**
 * The typed arrays a location can be on, by code: those Atomics works on, then the float arrays
 * that only plain reads and writes (the source transform's points) can touch.
 */
export const arrayTypes = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'f32', 'f64', 'u8c'] as const;
/** Bytes per element of each array type, by code. */
export const elementBytes = [1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 1] as const;

export function arrayTypeOf(array: ArrayBufferView): number {
  if (array instanceof Int8Array) return 0;
  if (array instanceof Uint8Array) return 1;
  if (array instanceof Int16Array) return 2;
  if (array instanceof Uint16Array) return 3;
  if (array instanceof Int32Array) return 4;
  if (array instanceof Uint32Array) return 5;
  if (array instanceof BigInt64Array) return 6;
  if (array instanceof BigUint64Array) return 7;
  if (array instanceof Float32Array) return 8;
  if (array instanceof Float64Array) return 9;
  return 10;
}

