/**
 * Result files under `results/`: written whole or not at all. The JSON goes to a temporary file in the
 * same folder and is renamed over the final name, which on one filesystem is atomic: a reader (or a run
 * killed halfway) never sees half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));

export function writeJsonAtomic(file: string, data: unknown): void {
  writeTextAtomic(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Any text file (a report page, a chart), whole or not at all, the same way. */
export function writeTextAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** `results/<kind>-<name>-<UTC time>.json`, with the name made safe for a file name. */
export function resultFileName(kind: string, name: string, date = new Date(), dir = resultsDir): string {
  const stamp = date.toISOString().replace(/[-:.]/g, '');
  return path.join(dir, `${kind}-${name.replace(/[^\w.-]+/g, '_')}-${stamp}.json`);
}
