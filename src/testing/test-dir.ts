/**
 * Temporary folders for tests, removed when the test file is done: a test suite that runs in CI again
 * and again must not fill /tmp with result files and user modules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered once per test file: vitest loads this module afresh for each file.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function testDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `pagerace-${name}-`));
  made.push(dir);
  return dir;
}
