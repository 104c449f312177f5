/**
 * `npm run bench`: the single-thread cost of an alloc+free pair for each built-in allocator, beside the
 * floor measured in the same run (the bare Atomics operations one alloc and one free need), at 8 GiB and
 * at 64 GiB with half the pages held. Each figure is measured in a fresh worker thread, one after the
 * other, so the ratios compare runs made minutes apart at most on the same machine.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { allocators, builtins } from '../alloc/registry.ts';
import type { PairResult, PairSpec } from '../bench/pair.ts';
import { parseFlags } from './args.ts';
import { runCommand } from './main.ts';
import { UsageError } from '../io/usage-error.ts';
import { plural } from '../report/format.ts';
import { MAX_PAGES } from '../scenario/schema.ts';
import { PAGE_SIZE, parseMemory } from '../scenario/units.ts';

/**
 * The least memory a measurement can hold half of and still free and allocate a page in every block
 * of every built-in: 64 pages. The most is a scenario's most (256 GiB): bench holds half the pages
 * through alloc(1) before it measures, in a buffer allocated whole.
 */
const MIN_BENCH_PAGES = 64;

const usage = 'usage: npm run bench -- [--json] [--time MS] [--sizes 8GiB,64GiB] [--allocator NAME[,NAME]]';

function measure(spec: PairSpec): Promise<PairResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../../workers/bench.mjs', import.meta.url), { workerData: spec });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`bench worker for ${spec.subject} exited with ${code}`)));
  });
}

await runCommand('bench', async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    json: { type: 'boolean', default: false },
    time: { type: 'string', default: '1000' },
    sizes: { type: 'string', default: '8GiB,64GiB' },
    allocator: { type: 'string' },
    help: { type: 'boolean', default: false },
  }, false);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const timeMs = Number(values.time);
  if (!Number.isInteger(timeMs) || timeMs < 50) throw new UsageError(`--time ${values.time}: expected whole milliseconds, at least 50`);
  const names = values.allocator?.split(',').map((name) => name.trim()) ?? builtins.map((d) => d.name);
  for (const name of names) {
    if (allocators[name]) continue;
    // A user's module would run in a worker that loads only built-ins, and fail there as an internal error.
    const module = /[\\/]|\.m?[jt]s$/.test(name) ? ` (a module path: bench measures the built-in allocators only; npm run stress measures yours)` : '';
    throw new UsageError(`--allocator ${values.allocator}: unknown allocator "${name}"${module}; use one of ${Object.keys(allocators).join(', ')}`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--allocator ${values.allocator}: names an allocator twice`);
  const sizes = values.sizes.split(',').map((label) => label.trim()).map((label) => {
    let pages: number;
    try {
      pages = parseMemory(label);
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`--sizes ${values.sizes}: ${error.message}`);
      throw error;
    }
    if (pages < MIN_BENCH_PAGES || pages > MAX_PAGES) {
      throw new UsageError(`--sizes ${values.sizes}: ${label} is ${plural(pages, 'page')}; bench takes ${MIN_BENCH_PAGES} pages (${(MIN_BENCH_PAGES * PAGE_SIZE) / 1024}KiB) to ${MAX_PAGES} pages (256GiB)`);
    }
    return { label, pages };
  });
  if (new Set(sizes.map((size) => size.pages)).size !== sizes.length) throw new UsageError(`--sizes ${values.sizes}: names a size twice`);
  const rows: { allocator: string; sizes: Record<string, { pages: number; nsPerPair: number; rme: number; ratioToFloor: number }> }[] =
    names.map((allocator) => ({ allocator, sizes: {} }));
  const floor: Record<string, { nsPerPair: number; rme: number }> = {};
  for (const { label, pages } of sizes) {
    // The floor is measured before and after the allocators and the lower taken: noise on a shared
    // machine only ever adds time, and a floor inflated by it would flatter every ratio.
    const before = await measure({ subject: 'floor', pages, timeMs });
    const measured: PairResult[] = [];
    for (const row of rows) measured.push(await measure({ subject: row.allocator, pages, timeMs }));
    const after = await measure({ subject: 'floor', pages, timeMs });
    const f = before.nsPerPair <= after.nsPerPair ? before : after;
    floor[label] = { nsPerPair: f.nsPerPair, rme: f.rme };
    rows.forEach((row, i) => {
      const r = measured[i]!;
      row.sizes[label] = { pages, nsPerPair: r.nsPerPair, rme: r.rme, ratioToFloor: r.nsPerPair / f.nsPerPair };
    });
  }
  const machine = { node: process.version, cpus: availableParallelism() };
  if (values.json) {
    console.log(JSON.stringify({ unit: 'ns per alloc(1)+free pair, median of sample means', machine, floor, allocators: rows }, null, 2));
    return 0;
  }
  const fmt = (n: number) => n.toFixed(1).padStart(8);
  const header = ['allocator'.padEnd(16), ...sizes.flatMap(({ label }) => [`${label} ns`.padStart(10), 'x floor'.padStart(8)])];
  console.log(`alloc(1)+free pair, one thread, half of memory held (node ${machine.node}, ${machine.cpus} CPUs)`);
  console.log(header.join(' '));
  console.log(['floor'.padEnd(16), ...sizes.flatMap(({ label }) => [fmt(floor[label]!.nsPerPair).padStart(10), '1.00'.padStart(8)])].join(' '));
  for (const row of rows) {
    console.log(
      [row.allocator.padEnd(16), ...sizes.flatMap(({ label }) => [fmt(row.sizes[label]!.nsPerPair).padStart(10), row.sizes[label]!.ratioToFloor.toFixed(2).padStart(8)])].join(' '),
    );
  }
  return 0;
});
