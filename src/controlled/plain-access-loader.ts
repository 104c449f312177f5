/**
 * Installs the source transforms in a controlled worker's thread (`--points all`: plain accesses as
 * points; `--engine coroutines`: functions as generators, transform-cache.ts). On Node 20 hooks that
 * `module.register()` installs on the main thread do not reach worker threads, so each controlled worker
 * registers its own, after tsx's (workers/controlled.mjs): the last registered runs first and asks the
 * next, so the ES module hooks (workers/plain-access-hooks.mjs) rewrite the JavaScript tsx produced.
 * CommonJS modules (a user's .ts file outside a `"type": "module"` package, a CommonJS package) are
 * compiled on this thread through `Module.prototype._compile`, which tsx's CommonJS hooks call with
 * their output too; that is wrapped here. The two sides tell each other, over one message port read
 * synchronously, which files are the code under test.
 */
import { realpathSync } from 'node:fs';
import Module, { register } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { publishCoroutineRuntime } from './coroutines/runtime.ts';
import { publishRuntime } from './plain-access.ts';
import { followsSubject, isBuiltinSubject, isCoroutineHarness, rootDirOf } from './plain-access-scope.ts';
import { instrumentModule, type Rewrites } from './transform-cache.ts';

let port: MessagePort | undefined;
const subjects = new Set<string>();
const rootDirs = new Set<string>();

type CompilingModule = { filename: string; parent?: { filename?: string } | null };
type Compile = (this: CompilingModule, content: string, filename: string) => unknown;

/**
 * Called once per worker, before the harness and the code under test are imported. `rewrites`: plain
 * accesses as points (`--points all`), functions as generators (`--engine coroutines`), or both.
 */
export function registerPlainAccess(rewrites: Rewrites = { plain: true, coroutines: false }): void {
  if (port) return;
  publishRuntime();
  if (rewrites.coroutines) publishCoroutineRuntime();
  const channel = new MessageChannel();
  port = channel.port1;
  port.unref();
  register('../../workers/plain-access-hooks.mjs', { parentURL: import.meta.url, data: { port: channel.port2, ...rewrites }, transferList: [channel.port2] });
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (content, filename) {
    drain();
    if (!subjects.has(filename)) {
      const parent = this.parent?.filename;
      if (isBuiltinSubject(filename) || (parent !== undefined && subjects.has(parent) && followsSubject(filename, rootDirs))) tell(filename);
    }
    const what = subjects.has(filename) ? rewrites : rewrites.coroutines && isCoroutineHarness(filename) ? { plain: false, coroutines: true } : undefined;
    return compile.call(this, what ? instrumentModule(filename, content, 'script', what) : content, filename);
  };
}

/** The module a run names as the code under test (`--allocator ./file`): it and what it imports are rewritten. */
export function markSubjectRoot(file: string): void {
  if (!port) return;
  tell(file, true);
  try {
    // The ES module loader knows a file by its real path.
    const real = realpathSync(file);
    if (real !== file) tell(real, true);
  } catch {
    // A missing file fails to load, with its own message.
  }
}

function tell(file: string, root = false): void {
  subjects.add(file);
  if (root) rootDirs.add(rootDirOf(file));
  port!.postMessage({ subject: file, root });
}

function drain(): void {
  for (let m = receiveMessageOnPort(port!); m; m = receiveMessageOnPort(port!)) {
    const { subject, root } = m.message as { subject: string; root?: boolean };
    subjects.add(subject);
    if (root) rootDirs.add(rootDirOf(subject));
  }
}
