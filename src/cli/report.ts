/**
 * `npm run report -- [result files...] [--threads N] [--out DIR]`: draws stress result files (default:
 * the latest in results/) as contention charts into results/report.html and one SVG per chart.
 *
 * Exit codes: 0 written, 2 bad input (a missing, truncated or foreign file: one line naming it), 3
 * pagerace itself failed.
 */
import { writeReport } from '../report/build-report.ts';
import { latestResultFile } from '../report/load-results.ts';
import { checkOutDir, resultsDir } from '../report/result-file.ts';
import { parseFlags, parsePathFlag, parsePositiveInt } from './args.ts';
import { runCommand } from './main.ts';
import { escapeControl } from '../io/terminal-text.ts';
import { ExitCode } from '../io/usage-error.ts';
import { userPath } from '../io/user-cwd.ts';

export const reportUsage = `usage: npm run report -- [result files...] [flags]
  (no file)            the latest results/stress-*.json
  --threads N          thread count of the latency distribution chart (default: the highest)
  --out DIR            where report.html and report-<chart>.svg go (default: results/)`;

const flags = {
  threads: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

await runCommand('report', async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), flags, true);
  if (values.help) {
    console.log(reportUsage);
    return ExitCode.ok;
  }
  const files = positionals.length > 0 ? [...new Set(positionals)] : [latestResultFile()];
  // One thread count: the one the latency distribution chart is drawn at.
  const threads = values.threads !== undefined ? parsePositiveInt('threads', values.threads, 64) : undefined;
  const outDir = values.out !== undefined ? userPath(parsePathFlag('out', values.out)) : undefined;
  // Before any chart is drawn: a folder the page cannot go in is one line, not a stack after the work.
  checkOutDir(outDir ?? resultsDir);
  const report = await writeReport(files, {
    ...(outDir !== undefined ? { outDir } : {}),
    ...(threads !== undefined ? { threads } : {}),
  });
  for (const warning of report.warnings) console.log(`note: ${escapeControl(warning)}`);
  console.log(`read: ${files.join(' ')}`);
  console.log(`charts: ${report.svgs.join(' ')}`);
  console.log(`report: ${report.html} (${Math.round(report.ms)} ms)`);
  return ExitCode.ok;
});
