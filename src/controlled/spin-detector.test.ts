import { describe, expect, it } from 'vitest';
import { Request } from './protocol.ts';
import { SPIN_SWITCH, SpinDetector, changesMemory } from './spin-detector.ts';
import type { Step } from './trace.ts';

const I32 = 4;
const U8 = 1;
const load = (thread: number, index: number, observed = 0): Step => ({ thread, request: Request.load, array: I32, index, arg1: 0, arg2: 0, observed });
const store = (thread: number, index: number, value: number): Step => ({ thread, request: Request.store, array: I32, index, arg1: value, arg2: 0, observed: value });
const cas = (thread: number, index: number, expected: number, replacement: number, observed: number, array = I32): Step => ({ thread, request: Request.compareExchange, array, index, arg1: expected, arg2: replacement, observed });
const at = (index: number, bytes = 4) => ({ address: index * bytes, bytes, write: false });

/** Feeds steps in order; returns the detector. */
function run(steps: Step[], threads = 2, bytes = 1024): SpinDetector {
  const d = new SpinDetector(threads, bytes);
  d.reset();
  steps.forEach((s, i) => d.observe(i, s));
  return d;
}

describe('spin detection', () => {
  it('a thread re-reading a word nobody writes spins after SPIN_SWITCH re-reads, not before', () => {
    const reads = Array.from({ length: SPIN_SWITCH }, () => load(0, 3));
    expect(run(reads).isSpinning(0, at(3))).toBe(false); // the first read is no re-read
    expect(run([...reads, load(0, 3)]).isSpinning(0, at(3))).toBe(true);
    // About to do something else: not spinning.
    expect(run([...reads, load(0, 3)]).isSpinning(0, at(9))).toBe(false);
  });

  it('a write to the word by anyone ends the spin; a write elsewhere does not', () => {
    const spin = Array.from({ length: SPIN_SWITCH + 1 }, () => load(0, 3));
    expect(run([...spin, store(1, 3, 1)]).isSpinning(0, at(3))).toBe(false);
    expect(run([...spin, store(1, 7, 1)]).isSpinning(0, at(3))).toBe(true);
    // A byte write inside the word changes it too.
    expect(run([...spin, { thread: 1, request: Request.store, array: U8, index: 13, arg1: 1, arg2: 0, observed: 1 }]).isSpinning(0, at(3))).toBe(false);
    // A re-read after the write is a fresh read: the count starts again.
    const d = run([...spin, store(1, 3, 1), load(0, 3, 1)]);
    expect(d.count[0]).toBe(0);
  });

  it('a compareExchange that fails is a read (a CAS spin lock on a held lock spins); one that wins is a write', () => {
    const failing = Array.from({ length: SPIN_SWITCH + 1 }, () => cas(0, 2, 0, 1, 1));
    expect(run(failing).isSpinning(0, at(2))).toBe(true);
    expect(changesMemory(cas(0, 2, 0, 1, 0))).toBe(true);
    expect(changesMemory(cas(0, 2, 0, 1, 1))).toBe(false);
    // A byte CAS compares the coerced expected value: 0x100 expected on a byte holding 0 wins.
    expect(changesMemory(cas(0, 2, 0x100, 1, 0, U8))).toBe(true);
    expect(changesMemory({ thread: 0, request: Request.add, array: I32, index: 0, arg1: 0, arg2: 0, observed: 5 })).toBe(false);
    expect(changesMemory({ thread: 0, request: Request.exchange, array: I32, index: 0, arg1: 1, arg2: 0, observed: 1 })).toBe(false);
    expect(changesMemory({ thread: 0, request: Request.or, array: I32, index: 0, arg1: 2, arg2: 0, observed: 1 })).toBe(true);
  });

  it('a scan over fresh locations is no spin; a spin over two locations is', () => {
    const scan = Array.from({ length: 20 }, (_, i) => load(0, i));
    expect(run(scan).count[0]).toBe(0);
    // Around SPIN_SWITCH times per location: a loop over two words re-reads twice as often before it counts.
    const two = Array.from({ length: 2 * SPIN_SWITCH + 2 }, (_, i) => load(0, 1 + (i % 2)));
    expect(run(two).isSpinning(0, at(1))).toBe(true);
    expect(run(two.slice(0, -2)).isSpinning(0, at(1))).toBe(false);
    // The thread's own write anywhere ends its spin: it is doing something.
    expect(run([...two, store(0, 50, 1)]).isSpinning(0, at(1))).toBe(false);
  });

  it('reading back a value that changed under a plain (unseen) write is no re-read', () => {
    // As a painting loop does: read a byte, write it plainly, read it again for the next page.
    const paint = Array.from({ length: SPIN_SWITCH + 4 }, (_, i) => load(0, 3, i));
    expect(run(paint).count[0]).toBe(0);
    expect(run(paint).isSpinning(0, at(3))).toBe(false);
  });

  it('a buffer too large for a table per byte gives the same answers from the bytes touched', () => {
    const spin = Array.from({ length: SPIN_SWITCH + 1 }, () => load(0, 300_000));
    const big = 64 << 20;
    expect(run(spin, 2, big).isSpinning(0, at(300_000))).toBe(true);
    expect(run([...spin, store(1, 300_000, 1)], 2, big).isSpinning(0, at(300_000))).toBe(false);
  });

  it('a new schedule forgets the last one', () => {
    const d = run(Array.from({ length: SPIN_SWITCH + 1 }, () => load(0, 3)));
    d.reset();
    d.observe(0, load(0, 3));
    d.observe(1, load(0, 3));
    expect(d.count[0]).toBe(1);
  });
});
