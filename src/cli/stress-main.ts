/** Entry of `npm run stress`. */
import { runCommand } from './main.ts';
import { stressCommand } from './stress.ts';

await runCommand('stress', async () => (await stressCommand(process.argv.slice(2))).code);
