// ES module hooks of a controlled worker run with `--points all` or `--engine coroutines`, registered in the worker's own thread
// by src/controlled/plain-access-loader.ts after tsx's, so they run first and see the JavaScript tsx
// made of a TypeScript file. They follow the code under test through its imports (resolve) and rewrite
// each of its modules (load); a CommonJS module among them is compiled on the worker's thread, whose
// compile hook they tell about it. The worker tells them the module a run names as the code under test.
// With the coroutine engine, the harness modules between a thread's loop and the allocator are rewritten
// into generators too (plain-access-scope.ts).
import { receiveMessageOnPort } from 'node:worker_threads';
import { filePathOf, followsSubject, isBuiltinSubject, isCoroutineHarness, rootDirOf } from '../src/controlled/plain-access-scope.ts';
import { instrumentModule } from '../src/controlled/transform-cache.ts';

/** @type {import('node:worker_threads').MessagePort} */
let port;
/** Files of the code under test, as paths. */
const subjects = new Set();
/** Folders of the modules runs named as the code under test. */
const rootDirs = new Set();

/** Which rewrites the code under test gets (transform-cache.ts). */
let rewrites = { plain: true, coroutines: false };

export function initialize(data) {
  port = data.port;
  rewrites = { plain: data.plain !== false, coroutines: data.coroutines === true };
}

/** Takes in what the worker's thread said since: the receive is synchronous, so nothing posted before this request is missed. */
function drain() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    subjects.add(m.message.subject);
    if (m.message.root) rootDirs.add(rootDirOf(m.message.subject));
  }
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  drain();
  const file = filePathOf(resolved.url);
  if (file !== undefined && !subjects.has(file)) {
    const parent = context.parentURL === undefined ? undefined : filePathOf(context.parentURL);
    if (isBuiltinSubject(file) || (parent !== undefined && subjects.has(parent) && followsSubject(file, rootDirs))) {
      subjects.add(file);
      // Its format may be known only when it loads; a CommonJS one is compiled on the worker's thread.
      port.postMessage({ subject: file });
    }
  }
  return resolved;
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (loaded.source == null || (loaded.format !== 'module' && loaded.format !== 'commonjs')) return loaded;
  drain();
  const file = filePathOf(url);
  if (file === undefined) return loaded;
  const what = subjects.has(file) ? rewrites : rewrites.coroutines && isCoroutineHarness(file) ? { plain: false, coroutines: true } : undefined;
  if (!what) return loaded;
  const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
  return { ...loaded, source: instrumentModule(file, source, loaded.format === 'module' ? 'module' : 'script', what) };
}
