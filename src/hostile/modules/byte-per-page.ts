/**
 * The sound base of every hostile module here: the README's byte-per-page allocator (one byte per page,
 * first fit, under the harness's global lock), with an audit. Each hostile module changes one member;
 * the suite runs this one too and sees it pass, so a failure it reports comes from that change alone.
 */
import type { AllocatorDefinition, PageAllocator, SharedRegion } from '../../alloc/contract.ts';

export function bytes(memory: SharedRegion, pages: number): Uint8Array {
  return new Uint8Array(memory.buffer, memory.byteOffset, pages);
}

export function view(memory: SharedRegion, pages: number): PageAllocator {
  const held = bytes(memory, pages);
  return {
    alloc(count) {
      if (count !== 1) throw new RangeError(`alloc(${count}): only single pages`);
      const page = held.indexOf(0);
      if (page >= 0) held[page] = 1;
      return page;
    },
    free(first, count) {
      if (count !== 1 || held[first] !== 1) throw new RangeError(`free(${first}, ${count}): not allocated`);
      held[first] = 0;
    },
    isAllocated: (page) => held[page] === 1,
  };
}

export const base = {
  name: 'byte-per-page',
  locking: 'global-lock',
  maxRun: 1,
  sharedBytes: (pages: number) => pages,
  init(memory: SharedRegion, pages: number) {
    bytes(memory, pages).fill(0);
  },
  attach: (memory: SharedRegion, pages: number) => view(memory, pages),
  audit(memory: SharedRegion, pages: number) {
    const bad = bytes(memory, pages).findIndex((b) => b > 1);
    return bad < 0 ? [] : [`page ${bad} holds ${bytes(memory, pages)[bad]}, not 0 or 1`];
  },
} satisfies AllocatorDefinition;

export default base;
