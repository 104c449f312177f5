import { describe, expect, it } from 'vitest';
import { meetsExpectation } from './grade.ts';

describe('the grading rule', () => {
  it('pass: no violation at all', () => {
    expect(meetsExpectation('pass', [])).toBe(true);
    expect(meetsExpectation('pass', [{ kind: 'leak' }])).toBe(false);
  });

  it('a list: some violation of a listed kind, whatever else came with it', () => {
    expect(meetsExpectation(['double-allocation'], [{ kind: 'double-allocation' }, { kind: 'leak' }])).toBe(true);
    expect(meetsExpectation(['audit', 'double-allocation'], [{ kind: 'audit' }])).toBe(true);
    expect(meetsExpectation(['double-allocation'], [{ kind: 'leak' }])).toBe(false);
    expect(meetsExpectation(['double-allocation'], [])).toBe(false);
  });
});
