import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtins } from './registry.ts';
import { opsArbitrary, runAgainstModel } from './reference-model.ts';
import { standalone } from './standalone.ts';

describe.each(builtins.map((d) => [d.name, d] as const))('contract: %s', (_name, definition) => {
  // Not a multiple of 8, 32 or 4, so every allocator has a partial last byte or word to get right.
  const pages = 203;

  it('fills to exhaustion with distinct pages, then -1; frees all; audit is clean', () => {
    const { allocator, audit } = standalone(definition, pages);
    const seen = new Set<number>();
    for (let i = 0; i < pages; i++) {
      const page = allocator.alloc(1);
      expect(page).toBeGreaterThanOrEqual(0);
      expect(page).toBeLessThan(pages);
      expect(seen.has(page)).toBe(false);
      seen.add(page);
    }
    expect(allocator.alloc(1)).toBe(-1);
    expect(audit()).toEqual([]);
    for (const page of seen) allocator.free(page, 1);
    for (let p = 0; p < pages; p++) expect(allocator.isAllocated(p)).toBe(false);
    expect(audit()).toEqual([]);
    // Everything came back: the same number of pages can be taken again.
    for (let i = 0; i < pages; i++) expect(allocator.alloc(1)).toBeGreaterThanOrEqual(0);
  });

  it('agrees with a reference model on random single-thread sequences', () => {
    fc.assert(
      fc.property(opsArbitrary(definition, 16), (ops) => {
        const problem = runAgainstModel(definition, pages, ops);
        expect(problem).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with the model when memory is nearly full (runs of the largest sizes fail and succeed)', () => {
    fc.assert(
      fc.property(opsArbitrary(definition, 64), (ops) => {
        expect(runAgainstModel(definition, 64, ops)).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('rejects bad calls with a RangeError that says what is wrong', () => {
    const { allocator } = standalone(definition, pages);
    expect(() => allocator.alloc(0)).toThrow(RangeError);
    expect(() => allocator.alloc(0)).toThrow(/count must be/);
    expect(() => allocator.alloc(definition.maxRun + 1)).toThrow(/count must be/);
    expect(() => allocator.alloc(1.5)).toThrow(RangeError);
    expect(() => allocator.free(pages, 1)).toThrow(/out of range/);
    expect(() => allocator.free(-1, 1)).toThrow(/out of range/);
    expect(() => allocator.isAllocated(pages)).toThrow(/out of range/);
    expect(() => allocator.free(5, 1)).toThrow(/page 5 is already free/);
    const page = allocator.alloc(1);
    allocator.free(page, 1);
    expect(() => allocator.free(page, 1)).toThrow(/already free/);
  });

  it('rejects a free whose count is not the run it gave out', () => {
    const { allocator } = standalone(definition, pages);
    if (definition.maxRun === 1) {
      const page = allocator.alloc(1);
      expect(() => allocator.free(page, 2)).toThrow(RangeError);
      expect(allocator.isAllocated(page)).toBe(true);
      return;
    }
    const first = allocator.alloc(4);
    expect(() => allocator.free(first, 8)).toThrow(RangeError);
    expect(allocator.isAllocated(first)).toBe(true);
  });
});
