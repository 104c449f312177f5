/**
 * stack-bitmap: the stack+bitmap hybrid of `shared/seeds/stack-bitmap-hybrid.txt`.
 *
 * An array of entries, each a 32-bit bitmap word (bit set = page allocated) and a `next` index. The
 * entries that still have a free page form a stack through `next`, so alloc takes the lowest clear bit
 * of the top entry and pops it when it fills; free clears the bit and pushes the entry back if it was
 * full. Alloc, free and isAllocated are O(1).
 *
 * What the posted code means, not what it says: it sets `1 << i` with an undefined `i` (the bit is
 * `bit`), assigns `head = entry` (the entry is `e`), never checks for an empty stack (here: "none", -1),
 * and shifts an int past bit 31 (here: one 32-bit word, `Math.clz32`). Its `next == NULL` test also cannot
 * tell "last on the stack" from "not on the stack"; here those are two different values.
 *
 * It runs under the harness's global lock, so plain typed-array accesses are enough; controlled mode
 * makes them scheduling points with its source transform (`--points all`), so the explorer can
 * interleave two threads running it without the lock, with this code unchanged.
 *
 * Invariants at quiescence, checked by {@link auditStackBitmap}:
 * - every entry with a clear bit is on the stack exactly once, no full entry is, and the stack has no cycle;
 * - an entry off the stack has `next === OFF_STACK`;
 * - the free counter equals the number of clear bits; bits of pages past the end stay set.
 */
import type { SharedLayout } from '../harness/shared-layout.ts';
import type { AllocatorDefinition, MemoryLocation, PageAllocator, SharedRegion } from './contract.ts';
import { checkPage, checkRange, checkRunLength } from './guard.ts';

/** The header; like the entries, read and written under the global lock, so plainly. */
export const StackBitmapHeaderLayout = {
  bytes: 8,
  i32: {
    /** Index of the top entry, or STACK_END when no entry has a free page: alloc's only starting point. */
    head: 0,
    /** invariant (quiescent): number of clear bits over all entries; the audit checks it against the bits. */
    free: 1,
  },
} as const satisfies SharedLayout;
/** An entry (entries follow the header, `bytes` apart). */
export const StackBitmapEntryLayout = {
  bytes: 8,
  i32: {
    /** Bit set = page allocated; FULL takes the entry off the stack. */
    bitmap: 0,
    /** The entry below on the stack, STACK_END for the last, OFF_STACK when it is not on the stack. */
    next: 1,
  },
} as const satisfies SharedLayout;
const HEADER_SLOTS = StackBitmapHeaderLayout.bytes >> 2;
const ENTRY_SLOTS = StackBitmapEntryLayout.bytes >> 2;

export const PAGES_PER_ENTRY = 32;
/** `next` of the last entry on the stack, and the head of an empty stack. */
export const STACK_END = -1;
/** `next` of an entry that is not on the stack (it is full). */
export const OFF_STACK = -2;
const FULL = -1; // all 32 bits set, as an Int32

function entryCount(pages: number): number {
  return Math.ceil(pages / PAGES_PER_ENTRY);
}

export class StackBitmapView implements PageAllocator {
  readonly counters = { casFailures: 0, bytesScanned: 0 };
  protected readonly words: Int32Array;

  constructor(
    memory: SharedRegion,
    private readonly pages: number,
    protected readonly name: string,
  ) {
    this.words = new Int32Array(memory.buffer, memory.byteOffset, HEADER_SLOTS + entryCount(pages) * ENTRY_SLOTS);
  }
  /** Whether a free must push its entry back on the stack. */
  protected mustPush(wasFull: boolean): boolean {
    return wasFull;
  }

  alloc(count: number): number {
    if (count !== 1) checkRunLength(this.name, count, 1);
    const w = this.words;
    const head = w[StackBitmapHeaderLayout.i32.head]!;
    if (head === STACK_END) return -1;
    const slot = HEADER_SLOTS + head * ENTRY_SLOTS;
    const word = w[slot + StackBitmapEntryLayout.i32.bitmap]!;
    // invariant: an entry on the stack has a clear bit, so `lowest` is never 0 here.
    const lowest = ~word & (word + 1);
    const filled = word | lowest;
    w[slot + StackBitmapEntryLayout.i32.bitmap] = filled;
    if (filled === FULL) {
      w[StackBitmapHeaderLayout.i32.head] = w[slot + StackBitmapEntryLayout.i32.next]!;
      w[slot + StackBitmapEntryLayout.i32.next] = OFF_STACK;
    }
    w[StackBitmapHeaderLayout.i32.free] = w[StackBitmapHeaderLayout.i32.free]! - 1;
    this.counters.bytesScanned++;
    return head * PAGES_PER_ENTRY + 31 - Math.clz32(lowest);
  }

  free(first: number, count: number): void {
    if (count !== 1 || first >>> 0 !== first || first >= this.pages) {
      checkRange(this.name, 'free', first, count, this.pages);
      throw new RangeError(`${this.name}: free(${first}, ${count}): stack-bitmap gives out single pages; count must be 1`);
    }
    const w = this.words;
    const e = first >> 5;
    const slot = HEADER_SLOTS + e * ENTRY_SLOTS;
    const word = w[slot + StackBitmapEntryLayout.i32.bitmap]!;
    const bit = 1 << (first & 31);
    if ((word & bit) === 0) throw new RangeError(`${this.name}: free(${first}, 1): page ${first} is already free`);
    w[slot + StackBitmapEntryLayout.i32.bitmap] = word & ~bit;
    if (this.mustPush(word === FULL)) {
      w[slot + StackBitmapEntryLayout.i32.next] = w[StackBitmapHeaderLayout.i32.head]!;
      w[StackBitmapHeaderLayout.i32.head] = e;
    }
    w[StackBitmapHeaderLayout.i32.free] = w[StackBitmapHeaderLayout.i32.free]! + 1;
  }

  isAllocated(page: number): boolean {
    if (page >>> 0 !== page || page >= this.pages) checkPage(this.name, page, this.pages);
    return (this.words[HEADER_SLOTS + (page >> 5) * ENTRY_SLOTS + StackBitmapEntryLayout.i32.bitmap]! & (1 << (page & 31))) !== 0;
  }
}

/** Formats the region: every entry free and on the stack, entry 0 on top so pages go out low first. */
export function initStackBitmap(memory: SharedRegion, pages: number): void {
  const entries = entryCount(pages);
  const w = new Int32Array(memory.buffer, memory.byteOffset, HEADER_SLOTS + entries * ENTRY_SLOTS);
  for (let e = 0; e < entries; e++) {
    const slot = HEADER_SLOTS + e * ENTRY_SLOTS;
    const real = Math.min(PAGES_PER_ENTRY, pages - e * PAGES_PER_ENTRY);
    // Pages past the end are set for good, so they are never handed out.
    w[slot + StackBitmapEntryLayout.i32.bitmap] = real === PAGES_PER_ENTRY ? 0 : FULL << real;
    w[slot + StackBitmapEntryLayout.i32.next] = e + 1 < entries ? e + 1 : STACK_END;
  }
  w[StackBitmapHeaderLayout.i32.head] = 0;
  w[StackBitmapHeaderLayout.i32.free] = pages;
}

export function auditStackBitmap(memory: SharedRegion, pages: number): string[] {
  const problems: string[] = [];
  const entries = entryCount(pages);
  const w = new Int32Array(memory.buffer, memory.byteOffset, HEADER_SLOTS + entries * ENTRY_SLOTS);
  const seen = new Uint8Array(entries);
  let free = 0;
  for (let e = w[StackBitmapHeaderLayout.i32.head]!, steps = 0; e !== STACK_END; e = w[HEADER_SLOTS + e * ENTRY_SLOTS + StackBitmapEntryLayout.i32.next]!, steps++) {
    if (e < 0 || e >= entries) {
      problems.push(`the stack reaches entry ${e}, outside 0..${entries - 1}`);
      break;
    }
    if (seen[e]) {
      problems.push(`entry ${e} is on the stack more than once: the stack has a cycle after ${steps} entries`);
      break;
    }
    seen[e] = 1;
    if (w[HEADER_SLOTS + e * ENTRY_SLOTS + StackBitmapEntryLayout.i32.bitmap] === FULL) problems.push(`entry ${e} is full but on the stack`);
  }
  for (let e = 0; e < entries; e++) {
    const slot = HEADER_SLOTS + e * ENTRY_SLOTS;
    const word = w[slot + StackBitmapEntryLayout.i32.bitmap]!;
    const real = Math.min(PAGES_PER_ENTRY, pages - e * PAGES_PER_ENTRY);
    const reserved = real === PAGES_PER_ENTRY ? 0 : FULL << real;
    if ((word & reserved) !== reserved) problems.push(`entry ${e}: bits past the last page are clear`);
    for (let b = 0; b < real; b++) if ((word & (1 << b)) === 0) free++;
    if (word !== FULL && !seen[e]) problems.push(`entry ${e} has a free page but is not on the stack: its pages are lost`);
    if (!seen[e] && w[slot + StackBitmapEntryLayout.i32.next] !== OFF_STACK) {
      problems.push(`entry ${e} is off the stack but its next is ${w[slot + StackBitmapEntryLayout.i32.next]}, not ${OFF_STACK}`);
    }
  }
  if (w[StackBitmapHeaderLayout.i32.free] !== free) problems.push(`free counter is ${w[StackBitmapHeaderLayout.i32.free]} but ${free} pages are clear`);
  return problems;
}

type ViewClass = new (memory: SharedRegion, pages: number, name: string) => StackBitmapView;

/** A location in stack-bitmap words: the stack head, the free counter, or an entry's bitmap word or link. */
export function describeStackBitmap(location: MemoryLocation, pages: number): string | undefined {
  const slot = location.byteOffset >> 2;
  if (location.byteOffset < 0 || slot >= HEADER_SLOTS + entryCount(pages) * ENTRY_SLOTS) return undefined;
  if (slot === StackBitmapHeaderLayout.i32.head) return 'stack head';
  if (slot === StackBitmapHeaderLayout.i32.free) return 'free counter';
  const entry = Math.floor((slot - HEADER_SLOTS) / ENTRY_SLOTS);
  if ((slot - HEADER_SLOTS) % ENTRY_SLOTS === StackBitmapEntryLayout.i32.next) return `entry ${entry} next`;
  const first = entry * PAGES_PER_ENTRY;
  return `entry ${entry} bitmap, pages ${first}..${Math.min(pages, first + PAGES_PER_ENTRY) - 1}`;
}

export function stackBitmapDefinition(
  name: string,
  View: ViewClass,
  extra: { description: string; defect?: string },
): AllocatorDefinition {
  return {
    name,
    locking: 'global-lock',
    maxRun: 1,
    sharedBytes: (pages) => (HEADER_SLOTS + entryCount(pages) * ENTRY_SLOTS) * 4,
    init: initStackBitmap,
    attach: (memory, pages) => new View(memory, pages, name),
    audit: auditStackBitmap,
    describe: describeStackBitmap,
    ...extra,
  };
}

export const stackBitmap = stackBitmapDefinition('stack-bitmap', StackBitmapView, {
  description:
    'Global lock: 32-page bitmap words whose non-full entries form a stack; O(1) alloc, free and test (OSDev forum, 2013).',
});
