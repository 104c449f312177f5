/**
 * The SCTBench ports in examples/sctbench: each default-exports a program of the contract's shape, and
 * each whose threads can run one after another does so cleanly. A port's bug needs an interleaving, so
 * the serial order (init, then threads 0, 1, ... each to its end, then check) must pass; a port whose
 * serial order blocks in Atomics.wait says why in its header and is listed in `serialBlocks`, and for
 * those the test checks that the serial order does block, rather than fail some other way.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProgramDefinition } from './contract.ts';

const folder = fileURLToPath(new URL('../../../examples/sctbench/', import.meta.url));
// The ports are the folder's own .ts files; lib/ holds their helpers, not programs.
const files = readdirSync(folder, { withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => e.name)
  .sort();

/** Ports whose serial order blocks forever in Atomics.wait, with the reason their headers give. */
const serialBlocks: Record<string, string> = {
  'chess-autoresetevent1': "the parent (thread 0) waits for a Set the child (thread 1) has not made yet",
  'chess-boundedqueue': 'producer 0 fills the queue and waits for a consumer (thread 2) that has not run',
  'chess-selfdeadlock': 'running main (thread 0) first is the deadlocking schedule: it ends holding the lock foo needs',
  'chess-signalwait2': 'the parent (thread 0) waits on event a, which only the child (thread 1) sets',
  'ctrace-test': 'main (thread 0) joins thread 1 before thread 1 has run',
  'pbzip2-0.9.4': 'main (thread 0) joins the fileWriter (thread 3), which needs the consumers',
  qsort_mt: 'pool thread 1 ends its job waiting for a termination only pool thread 2 sends',
};

/** A wait that would sleep forever: in the serial order no thread still to run has started. */
class WouldBlock extends Error {}

/** Timed waits that may expire in a serial run before it counts as stuck (a poll that nothing feeds). */
const MAX_TIMEOUTS = 1000;

function runSerially(program: ProgramDefinition): string[] {
  const memory = { buffer: new SharedArrayBuffer(program.sharedBytes), byteOffset: 0, byteLength: program.sharedBytes };
  const scratch = { buffer: new SharedArrayBuffer(program.scratchBytes ?? 0), byteOffset: 0, byteLength: program.scratchBytes ?? 0 };
  const atomics = Atomics as unknown as { wait: (a: Int32Array, i: number, v: number, ms?: number) => string };
  const realWait = atomics.wait;
  let thread = -1;
  let timeouts = 0;
  atomics.wait = (array, index, value, ms) => {
    if (Atomics.load(array, index) !== value) return 'not-equal';
    if (ms !== undefined && Number.isFinite(ms)) {
      if (++timeouts <= MAX_TIMEOUTS) return 'timed-out';
      throw new WouldBlock(`thread ${thread} keeps timing out on word ${index}`);
    }
    throw new WouldBlock(`thread ${thread} would wait forever on word ${index} (${program.describe?.(index * 4) ?? '?'}) holding ${value}`);
  };
  try {
    program.init?.(memory, scratch);
    for (thread = 0; thread < program.threads; thread++) program.thread(memory, thread, scratch);
  } finally {
    atomics.wait = realWait;
  }
  return program.check?.(memory, scratch) ?? [];
}

const ports = await Promise.all(
  files.map(async (file) => {
    const module = (await import(pathToFileURL(join(folder, file)).href)) as { default: ProgramDefinition };
    return { file, name: basename(file, '.ts'), program: module.default };
  }),
);

describe('SCTBench ports', () => {
  it('finds the ports, and every serial exception names one of them', () => {
    expect(ports.length).toBeGreaterThanOrEqual(10);
    const names = new Set(ports.map((p) => p.name));
    for (const name of Object.keys(serialBlocks)) expect(names).toContain(name);
  });

  describe.each(ports)('$name', ({ file, name, program }) => {
    it('has the contract shape', () => {
      expect(program).toBeTypeOf('object');
      expect(program.name).toBe(name);
      expect(Number.isInteger(program.threads)).toBe(true);
      expect(program.threads).toBeGreaterThanOrEqual(2);
      expect(program.threads).toBeLessThanOrEqual(8);
      expect(Number.isInteger(program.sharedBytes)).toBe(true);
      expect(program.sharedBytes).toBeGreaterThan(0);
      expect(program.sharedBytes % 4).toBe(0);
      expect(program.thread).toBeTypeOf('function');
      for (const hook of ['init', 'check', 'describe'] as const) {
        if (program[hook] !== undefined) expect(program[hook]).toBeTypeOf('function');
      }
      expect(program.describe?.(0)).toBeTypeOf('string');
    });

    it('cites its source in its header', () => {
      const text = readFileSync(join(folder, file), 'utf8');
      expect(text).toContain('mc-imperial/sctbench');
      expect(text).toMatch(/benchmarks\//);
    });

    const blocks = serialBlocks[name];
    if (blocks === undefined) {
      it('runs serially (init, threads 0..n-1 in order, check) with no throw and no problems', () => {
        expect(runSerially(program)).toEqual([]);
      });
    } else {
      it(`serial order not checked (${blocks}): it blocks in Atomics.wait`, () => {
        expect(() => runSerially(program)).toThrow(WouldBlock);
      });
    }
  });
});
