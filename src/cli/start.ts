/**
 * `npm start`: the default job. Every built-in allocator over 1, 2, 4 and 8 threads on the default
 * scenario (`scenarios/churn.ts`), checked, with a table of results. Takes the same flags as
 * `npm run stress`, and another scenario in place of the default.
 */
import { runCommand } from './main.ts';
import { stressCommand } from './stress.ts';

export const DEFAULT_SCENARIO = 'churn';

await runCommand('start', async () => (await stressCommand(process.argv.slice(2), DEFAULT_SCENARIO)).code);
