import { describe, expect, it } from 'vitest';
import { coloredRegion } from './colored-region.ts';
import { standalone } from './standalone.ts';

const HEADER_BYTES = 8;

describe('colored-region', () => {
  it("reproduces the journal's example: runs of 3, 5 and 5 pages leave 0x95 0xAA 0xFF 0x03", () => {
    const { allocator, memory } = standalone(coloredRegion, 16);
    expect([allocator.alloc(3), allocator.alloc(5), allocator.alloc(5)]).toEqual([0, 3, 8]);
    expect([...new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES, 4)]).toEqual([0x95, 0xaa, 0xff, 0x03]);
  });

  it('frees exactly the run of one color, leaving both neighbours painted', () => {
    const { allocator, memory, audit } = standalone(coloredRegion, 16);
    for (const count of [3, 5, 5]) allocator.alloc(count);
    allocator.free(3, 5);
    expect([...new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES, 4)]).toEqual([0x15, 0x00, 0xff, 0x03]);
    expect(audit()).toEqual([]);
  });

  it('paints a region between 01 and 10 with 11, the one color unlike both', () => {
    const { allocator, memory } = standalone(coloredRegion, 16);
    for (let i = 0; i < 5; i++) allocator.alloc(2); // 01 10 11 01 10
    for (const first of [2, 4, 6]) allocator.free(first, 2);
    expect(allocator.alloc(6)).toBe(2);
    const colors = new Uint8Array(memory.buffer, memory.byteOffset + HEADER_BYTES, 3);
    expect([...colors]).toEqual([0b11110101, 0b11111111, 0b00001010]);
    allocator.free(2, 6);
    allocator.free(8, 2);
  });

  it('says why a free is refused: not the first page, wrong count, already free', () => {
    const { allocator } = standalone(coloredRegion, 16);
    allocator.alloc(3);
    expect(() => allocator.free(1, 2)).toThrow(/page 1 is not the first page of its region/);
    expect(() => allocator.free(0, 2)).toThrow(/the region at page 0 has more than 2 pages/);
    expect(() => allocator.free(0, 4)).toThrow(/the region at page 0 has 3 pages/);
    expect(() => allocator.free(3, 1)).toThrow(/page 3 is already free/);
  });

  it('8 GiB of 4 KiB pages needs 512 KiB of bitmap: 0.0061 % of the memory', () => {
    const pages = (8 * 2 ** 30) / 4096;
    const bytes = coloredRegion.sharedBytes(pages) - HEADER_BYTES;
    expect(bytes).toBe(512 * 1024);
    expect(((bytes / (8 * 2 ** 30)) * 100).toFixed(4)).toBe('0.0061');
  });
});
