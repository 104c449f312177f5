import { describe, expect, it } from 'vitest';
import { standalone } from './standalone.ts';
import { OFF_STACK, STACK_END, stackBitmap } from './stack-bitmap.ts';

describe('stack-bitmap', () => {
  it('pops an entry when it fills and pushes it back when a page of it is freed', () => {
    const { allocator, memory, audit } = standalone(stackBitmap, 64);
    const words = new Int32Array(memory.buffer, memory.byteOffset, 6);
    for (let i = 0; i < 32; i++) expect(allocator.alloc(1)).toBe(i);
    expect(words[0]).toBe(1); // head moved to entry 1
    expect(words[2 + 1]).toBe(OFF_STACK);
    expect(allocator.alloc(1)).toBe(32);
    allocator.free(7, 1);
    expect(words[0]).toBe(0); // entry 0 is back on top
    expect(allocator.alloc(1)).toBe(7);
    expect(audit()).toEqual([]);
  });

  it('uses bit 31 of a word without overflow, and an empty stack is "none", not a crash', () => {
    const { allocator, memory } = standalone(stackBitmap, 32);
    for (let i = 0; i < 32; i++) expect(allocator.alloc(1)).toBe(i);
    expect(allocator.isAllocated(31)).toBe(true);
    expect(new Int32Array(memory.buffer, memory.byteOffset, 1)[0]).toBe(STACK_END);
    expect(allocator.alloc(1)).toBe(-1);
    allocator.free(31, 1);
    expect(allocator.alloc(1)).toBe(31);
  });

  it('audit finds an entry with free pages that fell off the stack', () => {
    const { allocator, memory, audit } = standalone(stackBitmap, 64);
    allocator.alloc(1);
    new Int32Array(memory.buffer, memory.byteOffset, 1)[0] = 1; // lose entry 0 from the head
    expect(audit().join('\n')).toMatch(/entry 0 has a free page but is not on the stack/);
  });
});
