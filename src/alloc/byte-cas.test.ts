import { describe, expect, it } from 'vitest';
import { BITMAP_BYTES, BLOCK_BYTES, HEADER_BYTES, PAGES_PER_BLOCK, byteCas } from './byte-cas.ts';
import { standalone } from './standalone.ts';

describe('byte-cas', () => {
  it("has the seed's geometry: 4096-byte blocks, 128 bytes of header, 31,744 pages (124 MiB) each", () => {
    expect([BLOCK_BYTES, HEADER_BYTES, BITMAP_BYTES, PAGES_PER_BLOCK]).toEqual([4096, 128, 3968, 31744]);
    expect((PAGES_PER_BLOCK * 4096) / 2 ** 20).toBe(124);
    expect(byteCas.sharedBytes(2 * PAGES_PER_BLOCK + 1)).toBe(3 * BLOCK_BYTES);
  });

  it('hands out pages low bit first and counts them in the block header', () => {
    const { allocator, memory } = standalone(byteCas, 100);
    expect([allocator.alloc(1), allocator.alloc(1), allocator.alloc(1)]).toEqual([0, 1, 2]);
    const header = new Int32Array(memory.buffer, memory.byteOffset, 32);
    expect(header[0]).toBe(97); // free counter
    expect(new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES, 1)[0]).toBe(0b111);
  });

  it('claims runs of 2^k pages aligned to their length, up to a 2 MiB large page of 512', () => {
    const { allocator, audit } = standalone(byteCas, 4096);
    expect(allocator.alloc(1)).toBe(0);
    expect(allocator.alloc(2)).toBe(2);
    expect(allocator.alloc(4)).toBe(4);
    expect(allocator.alloc(512)).toBe(512);
    expect(allocator.alloc(8)).toBe(8);
    expect(allocator.alloc(512)).toBe(1024);
    expect(audit()).toEqual([]);
    expect(() => allocator.alloc(3)).toThrow(/power of two/);
    expect(() => allocator.alloc(1024)).toThrow(/count must be an integer from 1 to 512/);
    expect(() => allocator.free(513, 1)).not.toThrow();
    expect(() => allocator.free(1024, 256)).not.toThrow();
    expect(() => allocator.free(1280, 256)).not.toThrow();
    expect(() => allocator.free(2, 4)).toThrow(/aligned/);
  });

  it('never hands out a run that straddles two blocks', () => {
    const { allocator } = standalone(byteCas, PAGES_PER_BLOCK + 512);
    for (let i = 0; i < PAGES_PER_BLOCK / 512; i++) expect(Math.floor(allocator.alloc(512) / PAGES_PER_BLOCK)).toBe(0);
    expect(allocator.alloc(512)).toBe(PAGES_PER_BLOCK);
    expect(allocator.alloc(512)).toBe(-1);
  });

  it('takes a wholly free block offline and brings it back; refuses a block with a page held', () => {
    const pages = 2 * PAGES_PER_BLOCK + 100;
    const { allocator, audit } = standalone(byteCas, pages);
    const held = allocator.alloc(1);
    expect(Math.floor(held / PAGES_PER_BLOCK)).toBe(0);
    expect(allocator.removeMemory!(0, PAGES_PER_BLOCK)).toBe(false);
    expect(allocator.isAllocated(1)).toBe(false);
    expect(allocator.removeMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK + 100)).toBe(true);
    expect(audit()).toEqual([]);
    expect(() => allocator.removeMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK)).toThrow(/already offline/);
    expect(() => allocator.free(PAGES_PER_BLOCK + 3, 1)).toThrow(/offline/);
    // With block 0 full, nothing is left: the offline blocks give nothing.
    for (let i = 1; i < PAGES_PER_BLOCK; i++) expect(allocator.alloc(1)).toBeLessThan(PAGES_PER_BLOCK);
    expect(allocator.alloc(1)).toBe(-1);
    allocator.addMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK + 100);
    expect(allocator.alloc(1)).toBe(PAGES_PER_BLOCK);
    expect(() => allocator.addMemory!(PAGES_PER_BLOCK, PAGES_PER_BLOCK)).toThrow(/not offline/);
    expect(() => allocator.removeMemory!(5, PAGES_PER_BLOCK)).toThrow(/whole blocks/);
    expect(audit()).toEqual([]);
  });

  it('audit catches a free counter that disagrees with the bitmap, and a page past the end set free', () => {
    const { allocator, memory, audit } = standalone(byteCas, 100);
    allocator.alloc(1);
    const header = new Int32Array(memory.buffer, memory.byteOffset, 32);
    expect(audit()).toEqual([]);
    header[0] = 42;
    expect(audit()).toEqual(['block 0: free counter is 42 but 99 pages are clear in its bitmap']);
    header[0] = 99;
    new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES)[12] = 0; // pages 96..103: 100..103 do not exist
    expect(audit().join('\n')).toMatch(/byte 12 is 0x0: bits past the last page must stay set/);
  });
});
