/**
 * The source transform as the loader applies it: once per file and source for the life of the thread,
 * idempotent (a module both loader hooks see is rewritten once), and a file that does not parse is left
 * as it was with one line on stderr, since V8 may run syntax acorn does not know yet.
 */
import { RUNTIME_KEY, transformPlainAccess } from './transform.ts';

const cache = new Map<string, { source: string; code: string }>();
const marker = `Symbol.for(${JSON.stringify(RUNTIME_KEY)})`;

/** `source` of `file` with its plain typed-array accesses rewritten into scheduling points. */
export function instrumentModule(file: string, source: string, sourceType: 'module' | 'script'): string {
  const hit = cache.get(file);
  if (hit && hit.source === source) return hit.code;
  let code = source;
  if (!source.includes(marker)) {
    try {
      code = transformPlainAccess(source, { file, sourceType }).code;
    } catch (error) {
      process.stderr.write(`pagerace: ${file}: left without plain-access scheduling points (cannot parse it: ${(error as Error).message})\n`);
    }
  }
  cache.set(file, { source, code });
  return code;
}
