import { describe, expect, it } from 'vitest';
import { LOG_SIZE, OpCode, OpLogEntryLayout, ThreadBlockLayout } from './layout.ts';
import { describeOp, endOp, readLog } from './op-log.ts';

const block = () => new Int32Array(new SharedArrayBuffer((ThreadBlockLayout.i32.log.index + LOG_SIZE * (OpLogEntryLayout.bytes >> 2)) * 4));

describe('the op log', () => {
  it('shows what alloc returned: a page, -1, and a value that is no page number (NaN, 1.5, 2^40) as such, never as page 0', () => {
    const b = block();
    for (const result of [7, -1, Number.NaN, 1.5, 2 ** 40, 0]) endOp(b, OpCode.alloc, 0, 1, result);
    expect(readLog(b).map(describeOp)).toEqual(['alloc(1) -> 7', 'alloc(1) -> -1', 'alloc(1) -> not a page number', 'alloc(1) -> not a page number', 'alloc(1) -> not a page number', 'alloc(1) -> 0']);
  });
});
