/**
 * How every command ends: bad input is one line and exit 2, a failure of pagerace itself is a stack
 * trace and exit 3, anything else is the command's own exit code.
 */
import { escapeControl } from '../io/terminal-text.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

export async function runCommand(command: string, body: () => Promise<number>): Promise<never> {
  // A reader that stops early (`npm start -- --json | head`) closes the pipe: that ends the command
  // quietly, as it would for any Unix tool, instead of an EPIPE stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  let code: number;
  try {
    code = await body();
  } catch (error) {
    if (error instanceof UsageError) {
      // One line, whatever the message quotes (a file name, a value from a file): never a newline or an
      // escape sequence that the terminal would act on.
      process.stderr.write(`${command}: ${escapeControl(error.message.replace(/\s*[\r\n]+\s*/g, ' '))}\n`);
      code = ExitCode.usage;
    } else {
      process.stderr.write(`${command}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
      code = ExitCode.internal;
    }
  }
  // Let stdout drain before leaving: a JSON result piped to another program must arrive whole.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
