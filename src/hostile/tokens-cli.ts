/**
 * Helpers for the hostile-token suites: forging tokens with a valid checksum, and running the real
 * replay command in a child process with a small heap, input on stdin, and an environment of its own.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { expect } from 'vitest';
import { repoRoot } from '../testing/cli.ts';

// tsx by its file, not its name: a child started in a folder outside the project must still find it.
const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The old-space limit the replay child runs under: a token that needs more dies, and the test sees it. */
export const CHILD_HEAP_MB = 256;

/**
 * The fields of a token that decodes: racy-rmw's scenario and allocator, 2 threads, 6 steps. Written
 * out here rather than made by encodeToken, so that the suite tests the format, not itself.
 */
export const validFields = {
  v: 1,
  scenario: 'scenarios/known-bugs/racy-rmw.ts',
  allocator: 'byte-cas/racy-rmw',
  threads: 2,
  ops: 8,
  pages: 256,
  maxHeldPages: 16,
  seed: 'racy-rmw-1',
  lock: true,
  strategy: 'random #0',
  schedule: '0x3,1,0x2',
  hashes: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64'),
  digest: '0123456789abcdef',
  kind: 'double-allocation',
  settings: '0123456789ab',
};

/** A token around any bytes, with the checksum a real one has: what a forger can always make. */
export function seal(data: string | Uint8Array): string {
  return sealBody(deflateRawSync(data));
}

/** A token around bytes taken as already deflated, with a valid checksum. */
export function sealBody(deflated: Uint8Array): string {
  const body = Buffer.from(deflated).toString('base64url');
  // The format's checksum: the first 8 hex digits of the SHA-256 of the body as written.
  return `pagerace1.${body}.${createHash('sha256').update(body).digest('hex').slice(0, 8)}`;
}

/** A sealed token of the valid fields with some replaced (undefined: removed) or added. */
export function forge(changes: Record<string, unknown>): string {
  const fields: Record<string, unknown> = { ...validFields, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete fields[key];
  return seal(JSON.stringify(fields));
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * `node --max-old-space-size=256 --import tsx src/cli/replay.ts ...args`, as `npx tsx` runs it, with
 * `stdin` written to its standard input. INIT_CWD is the child's cwd unless `env` says otherwise, as
 * when a person types the command in that folder.
 */
export function replayChild(args: string[], options: { cwd?: string; stdin?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ChildResult> {
  const cwd = options.cwd ?? repoRoot;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, '--import', tsxLoader, fileURLToPath(new URL('../cli/replay.ts', import.meta.url)), ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', INIT_CWD: cwd, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // A child that refuses its input early closes stdin while the test still writes: that is fine.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** Bad input's promise: exit 2, exactly one line on stderr, no stack trace. */
export function expectOneLineRefusal(result: ChildResult, message?: RegExp): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(result.signal, result.stderr.slice(0, 2000)).toBeNull();
  expect(result.code, result.stderr.slice(0, 2000)).toBe(2);
  expect(lines, result.stderr.slice(0, 2000)).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/internal error|FATAL|heap/i);
  if (message) expect(lines[0]).toMatch(message);
}
