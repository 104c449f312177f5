/**
 * `npx tsx src/cli/bench-steps.ts [flags]`: controlled mode's speed in scheduling steps per second, at
 * each thread count and engine with Atomics calls only as points and with every plain access too,
 * measured side by side (src/bench/explore-speed.ts). A correct allocator, so that every schedule runs to its end.
 */
import { loadAllocators } from '../alloc/load-allocator.ts';
import { type SpeedRow, measureSpeed } from '../bench/explore-speed.ts';
import { parsePoints } from '../controlled/plain-access-mode.ts';
import { parseEngine } from '../controlled/engine.ts';
import { sizedScenario } from '../controlled/explore.ts';
import { loadScenario } from '../scenario/load.ts';
import { parseFlags, parseIntList, parsePositiveInt } from './args.ts';
import { runCommand } from './main.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

const usage = 'usage: npx tsx src/cli/bench-steps.ts [--scenario churn] [--allocator byte-cas] [--threads 2,4,8] [--points atomics,all] [--engine workers,coroutines] [--ops 200] [--seconds 3] [--slices 3] [--json]';

await runCommand('bench-steps', async () => {
  const { values, positionals } = parseFlags(
    process.argv.slice(2),
    {
      scenario: { type: 'string', default: 'churn' },
      allocator: { type: 'string', default: 'byte-cas' },
      threads: { type: 'string', default: '2,4,8' },
      points: { type: 'string', default: 'atomics,all' },
      engine: { type: 'string', default: 'workers,coroutines' },
      ops: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '3' },
      slices: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    false,
  );
  if (values.help) {
    console.log(usage);
    return ExitCode.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const threads = parseIntList('threads', values.threads, 64);
  const modes = [...new Set(values.points.split(',').map((s) => parsePoints(s.trim())))];
  const engines = [...new Set(values.engine.split(',').map((s) => parseEngine(s.trim())))];
  const ops = parsePositiveInt('ops', values.ops);
  const seconds = parsePositiveInt('seconds', values.seconds, 600);
  const slices = parsePositiveInt('slices', values.slices, 100);
  const { scenario: loaded } = await loadScenario(values.scenario);
  const [allocator] = await loadAllocators([values.allocator]);
  // Enough pages that allocs rarely fail, few enough that threads meet: a schedule of real work.
  const pages = 256;
  const maxHeldPages = 16;
  const scenario = sizedScenario(loaded, { threads: threads[0]!, ops, pages, maxHeldPages });
  const rows: SpeedRow[] = [];
  if (!values.json) console.log(`controlled steps/s: ${allocator!.name}, ${loaded.name}, ${ops} ops per thread, ${pages} pages, ${seconds} s per row in ${slices} alternating slices`);
  for (const n of threads) {
    const measured = await measureSpeed(
      engines.flatMap((engine) => modes.map((points) => ({ threads: n, points, engine }))),
      { scenario, allocator: allocator!, ops, pages, maxHeldPages, seconds, slices, seed: `${loaded.seed}/speed` },
    );
    rows.push(...measured);
    if (!values.json) for (const row of measured) console.log(formatRow(row, measured[0]!));
  }
  if (values.json) console.log(JSON.stringify(rows, null, 2));
  return ExitCode.ok;
});

function formatRow(row: SpeedRow, first: SpeedRow): string {
  const rate = Math.round(row.stepsPerSecond).toLocaleString('en-US').padStart(9);
  const ratio = row === first ? '' : `  (${(row.stepsPerSecond / first.stepsPerSecond).toFixed(2)}x ${first.engine} ${first.points})`;
  return `  ${String(row.threads).padStart(2)} threads  --engine ${row.engine.padEnd(10)} --points ${row.points.padEnd(7)} ${rate} steps/s  ${row.schedules} schedules, ${Math.round(row.steps / Math.max(1, row.schedules))} steps each${ratio}`;
}
