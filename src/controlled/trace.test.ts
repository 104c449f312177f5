import { describe, expect, it } from 'vitest';
import { Request } from './protocol.ts';
import { type OpSpan, type Step, formatTrace } from './trace.ts';

const U8 = 1;
const I32 = 4;
const steps: Step[] = [
  { thread: 0, request: Request.start, array: 0, index: 0, arg1: 0, arg2: 0 },
  { thread: 1, request: Request.start, array: 0, index: 0, arg1: 0, arg2: 0 },
  { thread: 0, request: Request.compareExchange, array: U8, index: 200, arg1: 0, arg2: 0xff, observed: 0 },
  { thread: 1, request: Request.compareExchange, array: U8, index: 200, arg1: 0, arg2: 0xff, observed: 0xff },
  { thread: 0, request: Request.sub, array: I32, index: 16, arg1: 64, arg2: 0, observed: 200 },
  { thread: 1, request: Request.sub, array: I32, index: 16, arg1: 64, arg2: 0, observed: 136 },
];
const ops: OpSpan[] = [
  { thread: 0, call: 'alloc(64)', returned: true, result: '64', after: 0, last: 4 },
  { thread: 1, call: 'alloc(64)', returned: true, result: '64', after: 1, last: 5 },
  { thread: 1, call: 'handoff(64, 64)', returned: true, after: 5, last: 5 },
  { thread: 0, call: 'free(0, 1)', returned: false, after: 4, last: 4 },
];

describe('traces', () => {
  it('nest each step under the operation it belongs to, with what it returned, and name the locations', () => {
    const text = formatTrace(steps, { threads: 2, violationStep: 5, ops, locations: { '1:200': 'block 0 bitmap, pages 576..583', '4:16': 'block 0 free counter' } });
    const lines = text.split('\n');
    const row = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    // Thread 0's alloc(64): its header, its two steps indented under it, then what it returned.
    const header = row(/^\s+\| alloc\(64\)\s+\|\s*$/);
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^\s+2 \|   cas u8\[200\] \(block 0 bitmap, pages 576\.\.583\) 0x00 -> 0xff saw 0x00 \(won\)/);
    expect(row(/^\s+4 \|   sub i32\[16\] \(block 0 free counter\) 64 = 200/)).toBeGreaterThan(header);
    expect(row(/^\s+\| alloc\(64\) returns 64\s+\|/)).toBe(row(/^\s+4 \|/) + 1);
    // Thread 1's steps sit in its column, under its own alloc(64); the violating step is marked.
    expect(text).toMatch(/\|\s+\|   cas u8\[200\] \(block 0 bitmap, pages 576\.\.583\) 0x00 -> 0xff saw 0xff \(lost\)/);
    expect(text).toMatch(/^>\s+5 \|\s+\|   sub i32\[16\]/m);
    // An operation with no step of its own stands on one line; one that had not returned says so.
    expect(text).toMatch(/\|\s+\| handoff\(64, 64\) returns$/m);
    expect(text).not.toMatch(/free\(0, 1\) returns/);
    // Start steps belong to no operation: not indented.
    expect(text).toMatch(/^\s+0 \| start/m);
  });

  it('without operations or locations, steps stand alone as before', () => {
    const text = formatTrace(steps, { threads: 2, violationStep: -1 });
    expect(text).toMatch(/^\s+2 \| cas u8\[200\] 0x00 -> 0xff saw 0x00 \(won\)/m);
    expect(text).not.toMatch(/alloc/);
  });

  it('fold early steps except those at the locations the last ones touched', () => {
    const many: Step[] = Array.from({ length: 40 }, (_, i) => ({ thread: i % 2, request: Request.load, array: I32, index: 100 + i, arg1: 0, arg2: 0, observed: 0 }));
    many.push({ thread: 0, request: Request.load, array: I32, index: 100, arg1: 0, arg2: 0, observed: 1 });
    const text = formatTrace(many, { threads: 2, violationStep: 40, tail: 4 });
    expect(text).toMatch(/^\s+0 \| load i32\[100\] = 0/m); // the same location as the last step: kept
    expect(text).toMatch(/\.\.\. 36 steps folded \.\.\./);
    // An operation whose first step is shown and whose last is folded still says what it returned.
    const withOps = formatTrace(many, { threads: 2, violationStep: 40, tail: 4, ops: [{ thread: 0, call: 'alloc(1)', returned: true, result: '5', after: -1, last: 20 }] });
    const lines = withOps.split('\n');
    const fold = lines.findIndex((l) => /36 steps folded/.test(l));
    expect(lines[fold - 2]).toMatch(/^\s+\| alloc\(1\)\s+\|/);
    expect(lines[fold - 1]).toMatch(/^\s+0 \|   load i32\[100\] = 0/);
    expect(lines[fold + 1]).toMatch(/^\s+\| alloc\(1\) returns 5/);
  });
});
