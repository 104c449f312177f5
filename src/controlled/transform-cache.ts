/**
 * The source transforms as the loader applies them: once per file and source for the life of the
 * thread, idempotent (a module both loader hooks see is rewritten once), and a file that does not parse
 * is left as it was with one line on stderr, since V8 may run syntax acorn does not know yet. The
 * plain-access transform goes first (its runtime calls are calls like any other), the coroutine
 * transform second.
 */
import { transformCoroutines } from './coroutines/coroutine-transform.ts';
import { RUNTIME_KEY as COROUTINES_KEY } from './coroutines/runtime.ts';
import { RUNTIME_KEY, transformPlainAccess } from './transform.ts';

const cache = new Map<string, { source: string; code: string }>();
const marker = `Symbol.for(${JSON.stringify(RUNTIME_KEY)})`;
const coroutineMarker = `Symbol.for(${JSON.stringify(COROUTINES_KEY)})`;

/** Which rewrites a module gets. */
export interface Rewrites {
  /** Plain typed-array accesses become scheduling points (`--points all`, the code under test). */
  plain: boolean;
  /** Functions become generators (`--engine coroutines`: the code under test and the stress thread). */
  coroutines: boolean;
}

/** `source` of `file` with the rewrites `what` asks for. */
export function instrumentModule(file: string, source: string, sourceType: 'module' | 'script', what: Rewrites = { plain: true, coroutines: false }): string {
  const hit = cache.get(file);
  if (hit && hit.source === source) return hit.code;
  let code = source;
  if (what.plain && !code.includes(marker)) {
    try {
      code = transformPlainAccess(code, { file, sourceType }).code;
    } catch (error) {
      process.stderr.write(`pagerace: ${file}: left without plain-access scheduling points (cannot parse it: ${(error as Error).message})\n`);
    }
  }
  if (what.coroutines && !code.includes(coroutineMarker)) {
    try {
      code = transformCoroutines(code, { file, sourceType }).code;
    } catch (error) {
      // A SyntaxError is acorn's, on the input; anything else says what went wrong with the rewrite.
      const why = error instanceof SyntaxError ? `cannot parse it: ${error.message}` : (error as Error).message;
      process.stderr.write(`pagerace: ${file}: left plain for the coroutine engine (${why})\n`);
    }
  }
  cache.set(file, { source, code });
  return code;
}
