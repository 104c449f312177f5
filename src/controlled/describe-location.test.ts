import { describe, expect, it } from 'vitest';
import type { AllocatorDefinition, MemoryLocation } from '../alloc/contract.ts';
import { byteCas, describeByteCas } from '../alloc/byte-cas.ts';
import { describeColoredRegion } from '../alloc/colored-region.ts';
import { describeStackBitmap } from '../alloc/stack-bitmap.ts';
import { computeLayout } from '../subjects/allocator/layout.ts';
import { describeLocation } from './describe-location.ts';

const u8 = (byteOffset: number): MemoryLocation => ({ array: 'u8', index: byteOffset, byteOffset, bytes: 1 });
const i32 = (index: number): MemoryLocation => ({ array: 'i32', index, byteOffset: index * 4, bytes: 4 });

describe('allocators say what their locations are', () => {
  it('byte-cas: header fields and the pages a bitmap byte holds', () => {
    expect(describeByteCas(i32(0), 40_000)).toBe('block 0 free counter');
    expect(describeByteCas(i32(3), 40_000)).toBe('block 0 search hint');
    expect(describeByteCas(u8(128 + 72), 40_000)).toBe('block 0 bitmap, pages 576..583');
    // The second block's header and bitmap.
    expect(describeByteCas(i32(1024), 40_000)).toBe('block 1 free counter');
    expect(describeByteCas(u8(4096 + 128), 40_000)).toBe('block 1 bitmap, pages 31744..31751');
    // The last block's bytes past its last page, and past the region.
    expect(describeByteCas(u8(4096 + 128 + 2000), 40_000)).toBe('block 1 bitmap, past the last page');
    expect(describeByteCas(u8(3 * 4096), 40_000)).toBeUndefined();
  });

  it('colored-region: four pages per bitmap byte, after an 8-byte header', () => {
    expect(describeColoredRegion(i32(1), 64)).toBe('free counter');
    expect(describeColoredRegion(u8(8), 64)).toBe('colors of pages 0..3');
    expect(describeColoredRegion(u8(8 + 15), 64)).toBe('colors of pages 60..63');
    expect(describeColoredRegion(u8(8 + 16), 64)).toBeUndefined();
  });

  it('stack-bitmap: head, counter, and each entry word and link', () => {
    expect(describeStackBitmap(i32(0), 100)).toBe('stack head');
    expect(describeStackBitmap(i32(1), 100)).toBe('free counter');
    expect(describeStackBitmap(i32(2), 100)).toBe('entry 0 bitmap, pages 0..31');
    expect(describeStackBitmap(i32(3), 100)).toBe('entry 0 next');
    expect(describeStackBitmap(i32(8), 100)).toBe('entry 3 bitmap, pages 96..99');
    expect(describeStackBitmap(i32(10), 100)).toBeUndefined();
  });
});

describe('a controlled run names its locations', () => {
  const layout = computeLayout(2, 40_000, byteCas.sharedBytes(40_000), true);
  const U8 = 1;
  const I32 = 4;

  it('the global lock word (scheduled: it lives in the allocator buffer), then the allocator region', () => {
    expect(layout.lockOffset).toBe(0);
    expect(describeLocation(byteCas, layout, I32, 0)).toBe('global lock state');
    expect(describeLocation(byteCas, layout, I32, 1)).toBe('global lock owner');
    const region = layout.allocatorOffset;
    expect(describeLocation(byteCas, layout, I32, region / 4)).toBe('block 0 free counter');
    expect(describeLocation(byteCas, layout, U8, region + 128 + 72)).toBe('block 0 bitmap, pages 576..583');
  });

  it('a user describe that throws, answers no string or writes escape codes does not spoil the trace', () => {
    const { describe: _, ...base }: AllocatorDefinition = byteCas;
    const region = layout.allocatorOffset;
    expect(describeLocation(base, layout, U8, region)).toBeUndefined();
    expect(describeLocation({ ...base, describe: () => { throw new Error('no'); } }, layout, U8, region)).toBeUndefined();
    expect(describeLocation({ ...base, describe: () => 42 as unknown as string }, layout, U8, region)).toBeUndefined();
    expect(describeLocation({ ...base, describe: () => '\u001b[31mred\u001b[0m' }, layout, U8, region)).toBe('?[31mred?[0m');
    expect(describeLocation({ ...base, describe: () => 'x'.repeat(500) }, layout, U8, region)!.length).toBe(60);
  });
});
