import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllocatorDefinition } from '../contract.ts';
import { type ModelOp, opsArbitrary, runAgainstModel } from '../reference-model.ts';
import { allocators } from '../registry.ts';
import { standalone } from '../standalone.ts';

const byName = (name: string): AllocatorDefinition => allocators[name] ?? expect.fail(`no allocator ${name}`);
const alloc = (count: number): ModelOp => ({ kind: 'alloc', count });
/** Frees the `n`-th run still held, in the order they were allocated. */
const free = (n: number): ModelOp => ({ kind: 'free', pick: n });

describe('known-bug variants that one thread can expose', () => {
  // Two regions with a gap between a 01 region and a 10 region: colors 01,10,11,01,10 for five runs of 2;
  // freeing the middle three leaves 01 | 6 free pages | 10. A new region of 6 must take 11.
  const gapBetween01And10 = [alloc(2), alloc(2), alloc(2), alloc(2), alloc(2), free(1), free(1), free(1), alloc(6), free(2)];

  it('colored-region/one-sided merges a new region into its right neighbour: the free then fails', () => {
    expect(runAgainstModel(byName('colored-region'), 16, gapBetween01And10)).toBeUndefined();
    expect(runAgainstModel(byName('colored-region/one-sided'), 16, gapBetween01And10)).toMatch(
      /free\(2, 6\): the region at page 2 has more than 6 pages/,
    );
  });

  it('colored-region/one-sided: the merged neighbour cannot be freed either, so its pages are lost', () => {
    const { allocator } = standalone(byName('colored-region/one-sided'), 16);
    for (let i = 0; i < 5; i++) allocator.alloc(2);
    for (const first of [2, 4, 6]) allocator.free(first, 2);
    expect(allocator.alloc(6)).toBe(2);
    expect(() => allocator.free(8, 2)).toThrow(/not the first page of its region/);
    expect(allocator.isAllocated(8)).toBe(true);
  });

  it('colored-region/two-color: the journal’s own case, a gap between 01 and 10, merges', () => {
    // 01 01 01 | 10 10 | 01 01 | 10 10 10, then free the middle two regions: 01 01 01 . . . . 10 10 10.
    const journal = [alloc(3), alloc(2), alloc(2), alloc(3), free(1), free(1), alloc(4), free(2)];
    expect(runAgainstModel(byName('colored-region'), 16, journal)).toBeUndefined();
    expect(runAgainstModel(byName('colored-region/two-color'), 16, journal)).toMatch(/free\(3, 4\).*(has|not the first)/);
  });

  it('stack-bitmap/double-push: one alloc and free put entry 0 on the stack twice; audit sees the cycle', () => {
    const { allocator, audit } = standalone(byName('stack-bitmap/double-push'), 64);
    allocator.free(allocator.alloc(1), 1);
    expect(audit().join('\n')).toMatch(/entry 0 is on the stack more than once/);
    const correct = standalone(byName('stack-bitmap'), 64);
    correct.allocator.free(correct.allocator.alloc(1), 1);
    expect(correct.audit()).toEqual([]);
  });

  it('stack-bitmap/double-push: filling the entry leaves it on the stack, and the next alloc is wrong', () => {
    const ops = [alloc(1), free(0), ...Array.from({ length: 33 }, () => alloc(1))];
    expect(runAgainstModel(byName('stack-bitmap'), 64, ops)).toBeUndefined();
    expect(runAgainstModel(byName('stack-bitmap/double-push'), 64, ops)).toBeDefined();
  });

  it.each(['colored-region/two-color', 'colored-region/one-sided', 'stack-bitmap/double-push'])(
    '%s fails the contract property that its parent passes',
    (name) => {
      const definition = byName(name);
      // Runs of 1 or 2 pages in 16 pages: gaps are small, so a new region often fills one exactly.
      const property = fc.property(opsArbitrary(definition, 2), (ops) => runAgainstModel(definition, 16, ops) === undefined);
      expect(() => fc.assert(property, { numRuns: 2000, seed: 1 })).toThrow(/Property failed/);
    },
  );
});

describe('known-bug variants whose defect needs a race', () => {
  it('byte-cas/precedence resumes a failed search behind the failing byte, where byte-cas moves ahead', () => {
    // The seed's expression for a failed CAS at bit 8 * i: (bit >> 3 + 1) << 3 is (bit >> 4) << 3.
    for (const bit of [80, 800, 8000]) {
      expect(((bit >> 3) + 1) << 3).toBeGreaterThan(bit);
      // prettier-ignore
      expect((bit >> 3 + 1) << 3).toBeLessThan(bit);
    }
  });

  it.each(['byte-cas/racy-rmw', 'byte-cas/partial-claim', 'byte-cas/precedence'])(
    '%s behaves like byte-cas in one thread (its defect needs a second thread)',
    (name) => {
      const definition = byName(name);
      fc.assert(
        fc.property(opsArbitrary(definition, 64), (ops) => runAgainstModel(definition, 256, ops) === undefined),
        { numRuns: 50 },
      );
    },
  );
});
