/**
 * One measurement of the single-thread benchmark, run inside a fresh worker: the cost of an alloc(1)
 * followed by the free of that page, with half of the memory held, or the floor those two calls stand
 * on: the bare Atomics operations an alloc and a free need.
 */
import { Bench } from 'tinybench';
import { allocators } from '../alloc/registry.ts';
import { standalone } from '../alloc/standalone.ts';

export interface PairSpec {
  /** An allocator name, or `'floor'`. */
  subject: string;
  pages: number;
  /** Wall time tinybench spends on the task, in ms. */
  timeMs: number;
}

export interface PairResult {
  subject: string;
  pages: number;
  /** Median over tinybench's samples of the mean cost of one pair in the sample, in ns. */
  nsPerPair: number;
  /** Relative margin of error of the sample means, in percent. */
  rme: number;
  samples: number;
}

/** Pairs per task call: tinybench's own per-call overhead (~40 ns) is spread over this many. */
export const PAIRS_PER_CALL = 10_000;

function floorTask(): () => void {
  const buffer = new SharedArrayBuffer(4096);
  const u8 = new Uint8Array(buffer, 128);
  const i32 = new Int32Array(buffer, 0, 32);
  return () => {
    for (let n = 0; n < PAIRS_PER_CALL; n++) {
      // alloc: load the byte, CAS a bit in, count it; free: CAS the bit out, count it.
      const v = Atomics.load(u8, 0);
      Atomics.compareExchange(u8, 0, v, v | 1);
      Atomics.sub(i32, 0, 1);
      Atomics.compareExchange(u8, 0, v | 1, v);
      Atomics.add(i32, 0, 1);
    }
  };
}

function pairTask(name: string, pages: number): () => void {
  const definition = allocators[name];
  if (!definition) throw new Error(`no allocator ${name}`);
  const { allocator } = standalone(definition, pages);
  // Half the memory held, so that a search that is not O(1) shows up as a cost that grows with memory.
  for (let i = 0; i < pages / 2; i++) {
    if (allocator.alloc(1) < 0) throw new Error(`${name}: out of memory while holding half of ${pages} pages`);
  }
  return () => {
    for (let n = 0; n < PAIRS_PER_CALL; n++) allocator.free(allocator.alloc(1), 1);
  };
}

export async function measurePair(spec: PairSpec): Promise<PairResult> {
  const task = spec.subject === 'floor' ? floorTask() : pairTask(spec.subject, spec.pages);
  const bench = new Bench({ time: spec.timeMs, warmupTime: Math.min(200, spec.timeMs), warmup: true });
  bench.add(spec.subject, task);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (!result || !('latency' in result)) throw new Error(`${spec.subject}: tinybench gave no result (${result?.state})`);
  return {
    subject: spec.subject,
    pages: spec.pages,
    nsPerPair: (result.latency.p50 * 1e6) / PAIRS_PER_CALL,
    rme: result.latency.rme,
    samples: result.latency.samples?.length ?? result.latency.df + 1,
  };
}
