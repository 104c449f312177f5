/**
 * A plain, obviously correct model of which pages are held, to check an allocator against in one
 * thread. It knows nothing of bitmaps; it knows the contract: a run returned by `alloc(count)` is
 * `count` free pages in range (aligned to `count` where the allocator gives out power-of-two runs), and
 * `alloc` may return -1 only when no such run is free.
 */
import fc from 'fast-check';
import type { AllocatorDefinition, PageAllocator } from './contract.ts';
import { standalone } from './standalone.ts';

export type ModelOp = { kind: 'alloc'; count: number } | { kind: 'free'; pick: number };

export class ReferenceModel {
  readonly held = new Map<number, number>();
  private readonly pageHeld: Uint8Array;

  constructor(
    private readonly definition: AllocatorDefinition,
    readonly pages: number,
  ) {
    this.pageHeld = new Uint8Array(pages);
  }

  /** Whether a run of `count` pages that this allocator could legally return is free. */
  hasFreeRun(count: number): boolean {
    const step = this.definition.runSizes === 'power-of-two' ? count : 1;
    for (let first = 0; first + count <= this.pages; first += step) {
      let p = first;
      while (p < first + count && !this.pageHeld[p]) p++;
      if (p === first + count) return true;
    }
    return false;
  }

  /** Applies one op to the allocator and the model; returns a description of the first disagreement. */
  apply(allocator: PageAllocator, op: ModelOp): string | undefined {
    if (op.kind === 'alloc') {
      const first = allocator.alloc(op.count);
      if (first === -1) return this.hasFreeRun(op.count) ? `alloc(${op.count}) returned -1 but a run is free` : undefined;
      if (!Number.isInteger(first) || first < 0 || first + op.count > this.pages) return `alloc(${op.count}) returned ${first}`;
      if (this.definition.runSizes === 'power-of-two' && first % op.count !== 0) return `alloc(${op.count}) returned unaligned ${first}`;
      for (let p = first; p < first + op.count; p++) {
        if (this.pageHeld[p]) return `alloc(${op.count}) returned ${first}, but page ${p} is already held`;
        this.pageHeld[p] = 1;
      }
      this.held.set(first, op.count);
      return undefined;
    }
    if (this.held.size === 0) return undefined;
    const runs = [...this.held];
    const [first, count] = runs[op.pick % runs.length]!;
    allocator.free(first, count);
    this.held.delete(first);
    this.pageHeld.fill(0, first, first + count);
    return undefined;
  }

  /** The first page where the allocator's `isAllocated` and the model disagree. */
  mismatch(allocator: PageAllocator): string | undefined {
    for (let p = 0; p < this.pages; p++) {
      if (allocator.isAllocated(p) !== (this.pageHeld[p] === 1)) {
        return `page ${p}: allocator says ${allocator.isAllocated(p) ? 'allocated' : 'free'}, model says ${this.pageHeld[p] ? 'held' : 'free'}`;
      }
    }
    return undefined;
  }
}

/** The run lengths worth exercising for an allocator, capped at `cap`. */
export function runLengths(definition: AllocatorDefinition, cap: number): number[] {
  const max = Math.min(definition.maxRun, cap);
  const lengths: number[] = [];
  if (definition.runSizes === 'power-of-two') for (let c = 1; c <= max; c *= 2) lengths.push(c);
  else for (let c = 1; c <= max; c++) lengths.push(c);
  return lengths;
}

/** Runs `ops` on a fresh allocator and the model side by side; returns the first disagreement, if any. */
export function runAgainstModel(definition: AllocatorDefinition, pages: number, ops: ModelOp[]): string | undefined {
  const { allocator, audit } = standalone(definition, pages);
  const model = new ReferenceModel(definition, pages);
  for (const [i, op] of ops.entries()) {
    let problem: string | undefined;
    try {
      problem = model.apply(allocator, op);
    } catch (error) {
      problem = `threw ${(error as Error).message}`;
    }
    problem ??= model.mismatch(allocator);
    if (problem) return `op ${i} (${JSON.stringify(op)}): ${problem}`;
  }
  const problems = audit();
  return problems.length > 0 ? `audit: ${problems.join('; ')}` : undefined;
}

/** Random op sequences: allocs of the allocator's run lengths up to `maxRun`, and frees of held runs. */
export function opsArbitrary(definition: AllocatorDefinition, maxRun: number): fc.Arbitrary<ModelOp[]> {
  const op: fc.Arbitrary<ModelOp> = fc.oneof(
    fc.constantFrom(...runLengths(definition, maxRun)).map((count) => ({ kind: 'alloc' as const, count })),
    fc.nat().map((pick) => ({ kind: 'free' as const, pick })),
  );
  return fc.array(op, { maxLength: 120 });
}
