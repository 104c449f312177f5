/**
 * Every fixed layout of shared memory, checked as bytes: no two fields of a structure share a byte,
 * every field lies inside the structure's stated size, and every field is aligned for its element type
 * (a Float64 field at a byte offset that is not a multiple of 8 cannot be read through a Float64Array).
 * The structures come from an explicit registry that imports each one, so a new layout is checked
 * once it is listed here, and an empty or shrunken registry fails rather than passes.
 *
 * It lives in src/ itself, not src/harness/: it imports both drivers' layouts, and the harness core
 * imports neither (src/io/layering.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { ByteCasBlockLayout } from './alloc/byte-cas.ts';
import { ColoredRegionHeaderLayout } from './alloc/colored-region.ts';
import { LockLayout } from './alloc/global-lock.ts';
import { StackBitmapEntryLayout, StackBitmapHeaderLayout } from './alloc/stack-bitmap.ts';
import { BATCH, BatchHeaderLayout, BatchLayout, ReportAreaLayout, SlotLayout, StepLog64Layout, StepLogLayout } from './controlled/protocol.ts';
import { type LayoutElement, type SharedLayout, layoutElementBytes } from './harness/shared-layout.ts';
import { HostStatusLayout } from './harness/user-host-protocol.ts';
import { HarnessControlLayout, LATENCY_BYTES, LOG_SIZE, OpLogEntryLayout, QUEUE_CAPACITY, QueueEntryLayout, ThreadBlockLayout, computeLayout } from './subjects/allocator/layout.ts';
import { ObjectRecordLayout, ObjectScratchLayout } from './subjects/object/define-object.ts';
import { ProgramControlLayout, ProgramThreadLayout } from './subjects/program/stress-layout.ts';

const registry: Record<string, SharedLayout> = {
  SlotLayout,
  BatchHeaderLayout,
  StepLogLayout,
  StepLog64Layout,
  BatchLayout,
  ReportAreaLayout,
  HarnessControlLayout,
  ThreadBlockLayout,
  OpLogEntryLayout,
  QueueEntryLayout,
  LockLayout,
  ByteCasBlockLayout,
  ColoredRegionHeaderLayout,
  StackBitmapHeaderLayout,
  StackBitmapEntryLayout,
  HostStatusLayout,
  ProgramControlLayout,
  ProgramThreadLayout,
  ObjectScratchLayout,
  ObjectRecordLayout,
};

interface FieldBytes {
  name: string;
  element: string;
  index: number;
  length: number;
  start: number;
  end: number;
}

/** Every field of `layout` as the bytes it covers, from the structure's first byte. */
function fieldBytes(layout: SharedLayout): FieldBytes[] {
  const fields: FieldBytes[] = [];
  for (const [group, members] of Object.entries(layout)) {
    if (group === 'bytes') continue;
    const size = layoutElementBytes[group as LayoutElement] ?? NaN;
    for (const [name, field] of Object.entries(members as Record<string, number | { index: number; length: number }>)) {
      const { index, length } = typeof field === 'number' ? { index: field, length: 1 } : field;
      fields.push({ name: `${group}.${name}`, element: group, index, length, start: index * size, end: (index + length) * size });
    }
  }
  return fields;
}

/** What is wrong with `layout`, one line a problem; [] when it is sound. */
function problems(layout: SharedLayout): string[] {
  const found: string[] = [];
  const { bytes } = layout;
  if (!Number.isInteger(bytes) || bytes <= 0) found.push(`size ${bytes} is not a positive whole number of bytes`);
  for (const group of Object.keys(layout)) {
    if (group !== 'bytes' && !(group in layoutElementBytes)) found.push(`group ${group} is not an element type (${Object.keys(layoutElementBytes).join(', ')})`);
  }
  const fields = fieldBytes(layout);
  if (fields.length === 0) found.push('no fields');
  let widest = 1;
  for (const f of fields) {
    const size = layoutElementBytes[f.element as LayoutElement];
    if (size === undefined) continue;
    widest = Math.max(widest, size);
    // A whole element index is what makes `start` a multiple of the element size: a run placed at a
    // byte offset of another type's units (a Float64 region after an odd number of Int32s) is not.
    if (!Number.isInteger(f.index) || f.index < 0 || f.start % size !== 0) found.push(`${f.name} at byte ${f.start} is not aligned to its ${size}-byte elements`);
    if (!Number.isInteger(f.length) || f.length <= 0) found.push(`${f.name} has length ${f.length}`);
    if (f.start < 0 || f.end > bytes) found.push(`${f.name} (bytes ${f.start}-${f.end - 1}) lies outside the structure's ${bytes} bytes`);
  }
  // Structures repeat (one per thread, per block, per entry) `bytes` apart, and views are made at those
  // offsets: a size that is not a multiple of the widest element misaligns every other copy.
  if (bytes % widest !== 0) found.push(`size ${bytes} is not a multiple of its widest element (${widest} bytes)`);
  const sorted = [...fields].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.start < sorted[i]!.end; j++) {
      const [a, b] = [sorted[i]!, sorted[j]!];
      found.push(`${a.name} (bytes ${a.start}-${a.end - 1}) and ${b.name} (bytes ${b.start}-${b.end - 1}) overlap`);
    }
  }
  return found;
}

describe('shared-buffer layouts', () => {
  it('the registry lists every structure, each with fields', () => {
    expect(Object.keys(registry).length).toBe(20);
    for (const [name, layout] of Object.entries(registry)) expect(fieldBytes(layout).length, name).toBeGreaterThan(0);
  });

  for (const [name, layout] of Object.entries(registry)) {
    it(`${name}: no two fields overlap, each lies inside ${layout.bytes} bytes, each is aligned`, () => {
      expect(problems(layout)).toEqual([]);
    });
  }

  it('the slot names the bytes its Float64 operands share with Int32 slots 8-11', () => {
    const arg = fieldBytes(SlotLayout).filter((f) => f.element === 'f64');
    expect(arg.map((f) => [f.name, f.start, f.end])).toEqual([
      ['f64.arg1', 32, 40],
      ['f64.arg2', 40, 48],
    ]);
  });

  it('a region that holds other structures is exactly as long as they are', () => {
    expect(HarnessControlLayout.i32.queueLock.length * 4).toBe(LockLayout.bytes);
    expect(ThreadBlockLayout.i32.log.length * 4).toBe(LOG_SIZE * OpLogEntryLayout.bytes);
    expect(BatchLayout.i32.header.length * 4).toBe(BatchHeaderLayout.bytes);
    expect(BatchLayout.i32.log.length * 4).toBe(BATCH * StepLogLayout.bytes);
    expect(BatchLayout.f64.log64.length * 8).toBe(BATCH * StepLog64Layout.bytes);
  });

  it("the run buffer's regions do not overlap, and each starts on a cache line", () => {
    for (const [threads, pages, allocatorBytes, ownBuffer] of [[1, 1, 8, false], [4, 1000, 4096 * 3, false], [16, 31_745, 8200, true]] as const) {
      const l = computeLayout(threads, pages, allocatorBytes, ownBuffer);
      const main: [string, number, number][] = [
        ['control', l.controlOffset, HarnessControlLayout.bytes],
        ['threads', l.threadsOffset, threads * ThreadBlockLayout.bytes],
        ['latency', l.latencyOffset, threads * LATENCY_BYTES],
        ['queue', l.queueOffset, QUEUE_CAPACITY * QueueEntryLayout.bytes],
        ['ledger', l.ledgerOffset, pages * 4],
      ];
      const own: [string, number, number][] = [
        ['lock', l.lockOffset, LockLayout.bytes],
        ['allocator', l.allocatorOffset, allocatorBytes],
      ];
      for (const regions of ownBuffer ? [main, own] : [[...main, ...own]]) {
        const layout = { bytes: Math.max(...regions.map(([, at, n]) => at + n)), u8: Object.fromEntries(regions.map(([name, index, length]) => [name, { index, length }])) };
        expect(problems(layout), `${threads} threads, ${pages} pages`).toEqual([]);
        for (const [name, at] of regions) expect(at % 64, name).toBe(0);
      }
    }
  });

  describe('the check itself finds', () => {
    it('two fields on one byte', () => {
      expect(problems({ bytes: 8, i32: { a: 0, b: 0 } })).toEqual(['i32.a (bytes 0-3) and i32.b (bytes 0-3) overlap']);
    });
    it('a Float64 over Int32 fields', () => {
      expect(problems({ ...SlotLayout, f64: { arg1: 3, arg2: 5 } })).toEqual([
        'i32.details (bytes 24-27) and f64.arg1 (bytes 24-31) overlap',
        'f64.arg1 (bytes 24-31) and i32.epoch (bytes 28-31) overlap',
      ]);
    });
    it('a field past the end', () => {
      expect(problems({ bytes: 8, i32: { a: 0, b: { index: 1, length: 2 } } })).toEqual(['i32.b (bytes 4-11) lies outside the structure\'s 8 bytes']);
    });
    it('a misaligned field and size', () => {
      // Float64 index 1.5 is byte 12: where a Float64 region after three Int32s would start.
      expect(problems({ bytes: 20, i32: { a: 0 }, f64: { b: 1.5 } })).toEqual([
        'f64.b at byte 12 is not aligned to its 8-byte elements',
        'size 20 is not a multiple of its widest element (8 bytes)',
      ]);
    });
    it('an empty structure, or a group that is no element type', () => {
      expect(problems({ bytes: 8 })).toEqual(['no fields']);
      expect(problems({ bytes: 8, f32: { a: 0 } } as unknown as SharedLayout)).toEqual(['group f32 is not an element type (u8, i32, f64)']);
    });
  });
});
