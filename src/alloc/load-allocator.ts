/**
 * Finds the allocator a run names: a built-in or known-bug variant by name, or a user's module by path.
 * A user's module is imported and checked against the contract in a user host (a worker with a
 * deadline, harness/user-host.ts), never on the main thread: its top level is user code too, and may
 * throw, loop or exhaust memory. A bad module is one clear line and exit 2 before any worker starts;
 * the main thread keeps only the definition's plain fields (AllocatorInfo).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../io/usage-error.ts';
import { shownPath, userCwd } from '../io/user-cwd.ts';
import { UserHost } from '../harness/user-host.ts';
import type { AllocatorDefinition, PageAllocator } from './contract.ts';
import { allocators } from './registry.ts';

/** What a worker needs to load the same allocator: a registry name, or an absolute module path. */
export type AllocatorRef = { builtin: string } | { module: string };

const looksLikePath = (spec: string) => /[\\/]/.test(spec) || /\.(m?[jt]s)$/.test(spec);

/**
 * Turns a `--allocator` value into a reference a worker can load, or says why it cannot. A relative
 * path is relative to `cwd`: the folder the user typed it in, or a scenario file's folder for the
 * paths that scenario lists.
 */
export function resolveAllocator(spec: string, cwd = userCwd()): AllocatorRef {
  if (allocators[spec]) return { builtin: spec };
  if (!looksLikePath(spec)) {
    throw new UsageError(
      `unknown allocator "${spec}": use one of ${Object.keys(allocators).join(', ')}, or a path to a module (./my-allocator.ts)`,
    );
  }
  const file = path.resolve(cwd, spec);
  if (!existsSync(file)) throw new UsageError(`allocator module ${shownPath(file)} not found`);
  return { module: file };
}

/** The allocator as every message and printed command names it (see {@link shownPath}). */
export function refName(ref: AllocatorRef): string {
  return 'builtin' in ref ? ref.builtin : shownPath(ref.module);
}

const cache = new Map<string, Promise<AllocatorDefinition>>();

/** Loads and checks the definition behind a reference; cached per thread. */
export function loadAllocator(ref: AllocatorRef): Promise<AllocatorDefinition> {
  if ('builtin' in ref) return Promise.resolve(allocators[ref.builtin]!);
  let loaded = cache.get(ref.module);
  if (!loaded) {
    loaded = importModule(ref.module);
    cache.set(ref.module, loaded);
  }
  return loaded;
}

async function importModule(file: string): Promise<AllocatorDefinition> {
  const where = shownPath(file);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const first = String((error as Error)?.message ?? error).split('\n').find((line) => line.trim() && !line.endsWith(':'));
    throw new UsageError(`${where}: cannot load the module: ${first ?? 'unknown error'}`);
  }
  return checkDefinition(module.default, where);
}

/** Checks a value against the contract's definition shape; returns it typed, or throws a UsageError. */
export function checkDefinition(value: unknown, where: string): AllocatorDefinition {
  if (typeof value !== 'object' || value === null) {
    throw new UsageError(`${where}: the module must default-export an allocator definition (defineAllocator({...})), got ${typeof value}`);
  }
  const d = value as Record<string, unknown>;
  const rules: [ok: boolean, problem: string][] = [
    [typeof d.name === 'string' && d.name !== '', 'name must be a non-empty string'],
    [d.locking === 'lock-free' || d.locking === 'global-lock', `locking must be 'lock-free' or 'global-lock', got ${JSON.stringify(d.locking)}`],
    [Number.isInteger(d.maxRun) && (d.maxRun as number) >= 1, `maxRun must be an integer >= 1, got ${JSON.stringify(d.maxRun)}`],
    [d.runSizes === undefined || d.runSizes === 'any' || d.runSizes === 'power-of-two', `runSizes must be 'any' or 'power-of-two', got ${JSON.stringify(d.runSizes)}`],
    [typeof d.sharedBytes === 'function', 'sharedBytes must be a function'],
    [typeof d.init === 'function', 'init must be a function'],
    [typeof d.attach === 'function', 'attach must be a function'],
    [d.audit === undefined || typeof d.audit === 'function', 'audit must be a function when given'],
    [d.growUnit === undefined || (Number.isInteger(d.growUnit) && (d.growUnit as number) >= 1), `growUnit must be an integer >= 1 when given, got ${JSON.stringify(d.growUnit)}`],
  ];
  const problem = rules.find(([ok]) => !ok)?.[1];
  if (problem) throw new UsageError(`${where}: not an allocator definition: ${problem}`);
  return value as AllocatorDefinition;
}

/** Checks what `attach` returned: the three methods the harness calls. */
export function checkAttached(value: unknown, where: string): PageAllocator {
  const a = value as Record<string, unknown> | null;
  const missing = (['alloc', 'free', 'isAllocated'] as const).filter((m) => typeof a?.[m] !== 'function');
  if (missing.length > 0) {
    throw new UsageError(`${where}: attach() returned an allocator without ${missing.map((m) => `${m}()`).join(', ')}`);
  }
  return value as PageAllocator;
}

/**
 * What the main thread knows of an allocator: the definition's plain fields, which plan a run, and none
 * of its code, which runs only in workers. A built-in's full definition is one too.
 */
export type AllocatorInfo = Pick<AllocatorDefinition, 'name' | 'locking' | 'maxRun' | 'runSizes' | 'growUnit' | 'description' | 'defect'>;

export interface LoadedAllocator {
  ref: AllocatorRef;
  /** A registry name, or the module's path as {@link refName} shows it (the same in every message). */
  name: string;
  definition: AllocatorInfo;
}

/** How long `sharedBytes` may take when a module is checked (a pure size computation). */
const CHECK_TIMEOUT_MS = 5000;

/**
 * Resolves and checks every allocator a run names, failing on the first bad one with a UsageError.
 * With `pages`, each module's `sharedBytes(pages)` is checked too, so that a bad answer is found before
 * anything runs. The same allocator twice (`byte-cas,byte-cas`, or `./a.ts,a.ts`) is refused: its two
 * runs at one thread count would be one point on a chart twice, and a report refuses such a file.
 */
export async function loadAllocators(specs: string[], cwd = userCwd(), pages?: number): Promise<LoadedAllocator[]> {
  const refs = specs.map((spec) => resolveAllocator(spec, cwd));
  const names = refs.map(refName);
  const twice = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (twice >= 0) {
    const first = names.indexOf(names[twice]!);
    const same = specs[first] === specs[twice] ? `${JSON.stringify(specs[twice])} twice` : `${JSON.stringify(specs[first])} and ${JSON.stringify(specs[twice])}, both ${names[twice]}`;
    throw new UsageError(`allocator list names the same allocator twice: ${same}; name each once`);
  }
  const loaded: LoadedAllocator[] = [];
  // One at a time: each check starts a worker, and a failure ends the whole command anyway.
  for (const [i, ref] of refs.entries()) loaded.push({ ref, name: names[i]!, definition: await loadAllocatorInfo(ref, names[i]!, pages) });
  return loaded;
}

/**
 * What the main thread may know of one allocator: a built-in's definition, or a module's plain fields
 * as a user host imported and checked them (the module's code never runs on the main thread).
 */
export async function loadAllocatorInfo(ref: AllocatorRef, name: string, pages?: number): Promise<AllocatorInfo> {
  if ('builtin' in ref) return allocators[ref.builtin]!;
  const host = await UserHost.start(ref, name, { timeoutMs: CHECK_TIMEOUT_MS });
  try {
    if (pages !== undefined) await host.sharedBytes(pages);
    return host.info;
  } finally {
    await host.close();
  }
}
