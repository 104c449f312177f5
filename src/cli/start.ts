/**
 * `npm start`: the default job. Every built-in allocator over 1, 2, 4 and 8 threads on the default
 * scenario (`scenarios/churn.ts`), checked, with a table of results, then the contention report drawn
 * from the sweep's result file. Takes the same flags as `npm run stress`, and another scenario in place
 * of the default. The exit code is the sweep's.
 */
import { writeReport } from '../report/build-report.ts';
import { runCommand } from './main.ts';
import { startUsage, stressCommand } from './stress.ts';

export const DEFAULT_SCENARIO = 'churn';

await runCommand('start', async () => {
  const argv = process.argv.slice(2);
  const { code, result, outDir } = await stressCommand(argv, DEFAULT_SCENARIO, startUsage);
  if (result && result.runs.length > 0) {
    const report = await writeReport([result.resultFile], outDir !== undefined ? { outDir } : {});
    // With --json, stdout is one JSON object and nothing else.
    (argv.includes('--json') ? console.error : console.log)(`report: ${report.html}`);
  }
  return code;
});
