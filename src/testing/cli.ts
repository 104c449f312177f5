/** Runs one of pagerace's commands in a child process, as a person would, for the CLI tests. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `entry` is a file under src/cli, e.g. 'stress-main.ts'. */
/**
 * `cwd` is where the command runs (npm runs scripts in the package root); `typedIn` is the folder the
 * user typed it in, which npm passes as INIT_CWD (default: `cwd`).
 */
/**
 * `obeyPermissions`: as root, run the command without the capabilities that let root write where file
 * modes say no (util-linux's setpriv drops them from the bounding set), so that a read-only folder is
 * read-only to it. Unlike running it as another user, the command can still read the project wherever
 * it was cloned (under /root, say).
 */
export function runCli(entry: string, args: string[], options: { cwd?: string; typedIn?: string; env?: Record<string, string>; obeyPermissions?: boolean; timeoutMs?: number; onSpawn?: (kill: (signal: NodeJS.Signals) => void) => void; onStdout?: (soFar: string) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, '--import', 'tsx', fileURLToPath(new URL(`../cli/${entry}`, import.meta.url)), ...args];
    const asRoot = options.obeyPermissions === true && process.getuid?.() === 0;
    const [file, ...argv] = asRoot ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...command] : command;
    const child = spawn(file!, argv, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', INIT_CWD: options.typedIn ?? options.cwd ?? repoRoot, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    options.onSpawn?.((signal) => child.kill(signal));
  });
}
