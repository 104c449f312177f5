/**
 * Which modules the source transform rewrites: the code under test and everything it imports, third-party
 * packages included, but never pagerace's own harness (its bookkeeping runs on other buffers and must not
 * be slowed or scheduled) nor node: builtins.
 *
 * The code under test is: the built-in allocators that are subjects (byte-cas, colored-region,
 * stack-bitmap and the known-bug variants; the global lock is harness code and uses Atomics only), the
 * module a run names with `--allocator ./file`, and every module those import that is not in pagerace's
 * `src/` or `workers/`. A module is loaded once per thread: one the harness loaded first (seedrandom,
 * say) stays as it was when a subject imports it too.
 *
 * Used by both sides of the loader: the ES module hooks (their own thread) and the CommonJS compile hook
 * (the worker's thread), so both decide alike.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
const harnessDirs = [path.join(root, 'src'), path.join(root, 'workers')].map((d) => d + path.sep);
const builtinSubject = /^src\/alloc\/(?:byte-cas|colored-region|stack-bitmap)\.ts$|^src\/alloc\/variants\/[\w-]+(?<!\.test)\.ts$/;

/** A file path from a `file:` URL (query and hash dropped), or undefined for any other URL. */
export function filePathOf(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(url.replace(/[?#].*$/, ''));
  } catch {
    return undefined;
  }
}

/** One of the built-in allocators that are code under test. */
export function isBuiltinSubject(file: string): boolean {
  return builtinSubject.test(path.relative(root, file).split(path.sep).join('/'));
}

/**
 * The harness modules on a logical thread's way from its loop to the subject's calls (an allocator's
 * stress thread and the global lock; a concurrent object's program, which calls its operations): with
 * `--engine coroutines` they become generators too (and only get that rewrite), so that a point in the
 * subject suspends the whole thread.
 */
const coroutineHarness = /^src\/subjects\/allocator\/stress-thread\.ts$|^src\/alloc\/(?:locked|global-lock)\.ts$|^src\/subjects\/object\/define-object\.ts$/;

export function isCoroutineHarness(file: string): boolean {
  return coroutineHarness.test(path.relative(root, file).split(path.sep).join('/'));
}

/** pagerace's own code, other than the built-in subjects. */
export function isHarness(file: string): boolean {
  return harnessDirs.some((dir) => file.startsWith(dir)) && !isBuiltinSubject(file);
}

/**
 * Whether a module that a subject imports is itself rewritten. `rootDirs`: the folders of the modules
 * runs named as the code under test; a module of pagerace's own tree in one of them (a test's user
 * modules and their helpers) belongs to the code under test, not to the harness.
 */
export function followsSubject(file: string, rootDirs: ReadonlySet<string>): boolean {
  if (!/\.(?:[cm]?[jt]s|[jt]sx)$/.test(file)) return false;
  if (!isHarness(file)) return true;
  // Only a folder inside src/ or workers/ counts: a module at the repository's top must not take in
  // the harness it imports (`import ... from 'pagerace'` is src/index.ts and all it exports).
  for (const dir of rootDirs) if (file.startsWith(dir) && harnessDirs.some((h) => dir.startsWith(h))) return true;
  return false;
}

/** The folder a root module's followers in pagerace's tree must be in (see {@link followsSubject}). */
export function rootDirOf(file: string): string {
  return path.dirname(file) + path.sep;
}
