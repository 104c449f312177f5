/**
 * A pagerace command run as a hostile input's victim: in a child process with a V8 heap limit and a
 * time limit, so that a test of "one line and exit 2" also shows the command stayed within bounds. A
 * command that needed more heap dies with a fatal error (exit 134, not 2), one that needed more time is
 * killed (exit null): either fails the test.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../testing/cli.ts';

/** The heap each hostile case may use, MiB: a result file is at most 16 MiB, and a scenario is small. */
export const HEAP_LIMIT_MB = 256;
/** The time each hostile case may take, ms: tsx's start on a 2-core machine shared by 8 test runs is most of it (3 to 20 s seen). */
export const TIME_LIMIT_MS = 60_000;

export interface BoundedResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runBounded(entry: string, args: string[], cwd = repoRoot): Promise<BoundedResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--import', 'tsx', fileURLToPath(new URL(`../cli/${entry}`, import.meta.url)), ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', INIT_CWD: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The shape every hostile case must have: exit 2, one line on stderr naming `what`, no stack, no escape. */
export function usageFailure(result: BoundedResult): { code: number | null; lines: number; stack: boolean; control: boolean; line: string } {
  const lines = result.stderr.trim().split('\n');
  return {
    code: result.code,
    lines: lines.length,
    stack: /^\s+at /m.test(result.stderr),
    // Any control character but the final newline would be the file's, driving the terminal.
    control: /[\p{Cc}]/u.test(result.stderr.trimEnd()),
    line: lines[0] ?? '',
  };
}
