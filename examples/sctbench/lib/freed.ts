/**
 * Heap memory after free() / delete, as the ports model it: every word of the block is overwritten
 * with FREED (as allocators and AddressSanitizer scribble over freed memory), and a read that finds FREED
 * is a use after free, which the C program would survive only by luck. The check costs no extra access:
 * it looks at the value the program's own read returned.
 */

/** 0xDEADBEEF as a signed 32-bit word: no port stores it as data. */
export const FREED = -559038737;

/** free(block) for a block of `length` words at `at`: one plain write per word. */
export function freeBlock(words: Int32Array, at: number, length: number): void {
  for (let i = 0; i < length; i++) words[at + i] = FREED;
}

/** A plain read of a heap word that must still be allocated; `what` names it in the error. */
export function readLive(words: Int32Array, at: number, what: string): number {
  const value = words[at]!;
  if (value === FREED) throw new Error(`heap use after free: read of ${what} after it was freed`);
  return value;
}
