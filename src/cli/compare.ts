/**
 * `npm run compare -- <run A> <run B>` or `npm run compare -- <run> --allocators X,Y`: B/A ratios of
 * throughput and alloc latency per allocator and thread count, and results/compare.html with both runs
 * on the same axes.
 *
 * Exit codes: 0 written, 2 bad input (a missing, truncated or foreign file: one line naming it), 3
 * pagerace itself failed.
 */
import { writeCompare } from '../report/build-compare.ts';
import { textTable } from '../report/compare-table.ts';
import { checkOutDir, resultsDir } from '../report/result-file.ts';
import { parseFlags, parsePathFlag, parsePositiveInt } from './args.ts';
import { runCommand } from './main.ts';
import { escapeControl, terminalSafe } from '../io/terminal-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';
import { userPath } from '../io/user-cwd.ts';

export const compareUsage = `usage: npm run compare -- <run A> <run B> [flags]
       npm run compare -- <run> --allocators X,Y
  --allocators X,Y     compare allocator X of run A with allocator Y of run B (or of the one run)
  --threads N          thread count of the latency distribution chart (default: the highest)
  --out DIR            where compare.html and compare-<chart>.svg go (default: results/)
  --json               print the rows as one JSON object`;

const flags = {
  allocators: { type: 'string' },
  threads: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

await runCommand('compare', async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), flags, true);
  if (values.help) {
    console.log(compareUsage);
    return ExitCode.ok;
  }
  let allocators: [string, string] | undefined;
  if (values.allocators !== undefined) {
    const names = values.allocators.split(',').map((name) => name.trim());
    if (names.length !== 2 || names.some((name) => name === '')) throw new UsageError(`--allocators ${values.allocators}: expected two names, A,B`);
    allocators = [names[0]!, names[1]!];
  }
  if (positionals.length === 0 || positionals.length > 2) {
    throw new UsageError(`expected two result files, or one with --allocators X,Y; got ${positionals.length}`);
  }
  if (positionals.length === 1 && !allocators) throw new UsageError(`one result file: name the two allocators to compare in it with --allocators X,Y`);
  const [fileA, fileB = fileA] = positionals as [string, string?];
  // One thread count: the one the latency distribution chart is drawn at.
  const threads = values.threads !== undefined ? parsePositiveInt('threads', values.threads, 64) : undefined;
  const outDir = values.out !== undefined ? userPath(parsePathFlag('out', values.out)) : undefined;
  // Before any chart is drawn: a folder the page cannot go in is one line, not a stack after the work.
  checkOutDir(outDir ?? resultsDir);
  const compared = await writeCompare(fileA, fileB, {
    ...(outDir !== undefined ? { outDir } : {}),
    ...(allocators ? { allocators } : {}),
    ...(threads !== undefined ? { threads } : {}),
  });
  if (values.json) {
    // JSON.stringify escapes control characters itself.
    console.log(JSON.stringify({ a: compared.files.a, b: compared.files.b, compareFile: compared.html, warnings: compared.warnings, rows: compared.rows }, null, 2));
    return ExitCode.ok;
  }
  // Names and seeds come from the files: escaped, so that a file cannot drive the terminal.
  console.log(compared.heading.map((line) => escapeControl(line)).join('\n'));
  for (const warning of compared.warnings) console.log(`note: ${escapeControl(warning)}`);
  console.log(`\n${terminalSafe(textTable(compared.table))}\n`);
  console.log(compared.legend);
  console.log(`compare: ${compared.html} (${Math.round(compared.ms)} ms)`);
  return ExitCode.ok;
});
