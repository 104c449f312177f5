/**
 * The files a replay token may make pagerace load. A token is pasted from a chat, a CI log or a bug
 * report, and loading a module runs it, so a token may name only a built-in allocator, or a module file
 * inside the project or inside the folder the user runs pagerace from. Paths are resolved with
 * realpath, so neither `..` nor a symlink can lead out of those folders, and nothing is loaded here:
 * this only decides what may be.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AllocatorRef } from '../alloc/load-allocator.ts';
import { allocators } from '../alloc/registry.ts';
import { UsageError } from '../io/usage-error.ts';
import { quote } from './untrusted-text.ts';

/** The checkout pagerace runs from: relative paths in a token are relative to it. */
export const projectRoot = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** The folders a token's files may be in. */
export interface TokenPlaces {
  projectRoot: string;
  /** Where the user typed the command: npm runs scripts from the project root and says so in INIT_CWD. */
  currentFolder: string;
}

export function defaultPlaces(): TokenPlaces {
  return { projectRoot, currentFolder: process.env.INIT_CWD ?? process.cwd() };
}

/** What a checked token will load. */
export interface TokenFiles {
  /** Absolute, symlinks resolved: the scenario file, or the program's module. */
  scenario: string;
  /** None for a program. */
  allocator: AllocatorRef | undefined;
  program?: true;
}

// The extensions loadScenario and loadAllocator import; a test or a declaration file is neither.
const scenarioFile = /(?<!\.test|\.d)\.(?:ts|js|mjs)$/;
const moduleFile = /(?<!\.test|\.d)\.(?:m?[jt]s)$/;

/** How a token names a file: relative to the project root when inside it (so the token works in any checkout), else absolute. */
export function tokenPath(file: string, root = projectRoot): string {
  const absolute = path.resolve(file);
  return isInside(absolute, path.resolve(root)) ? path.relative(root, absolute) : absolute;
}

/** Decides what a token's scenario and allocator will load, or throws a one-line UsageError. */
export function resolveTokenFiles(scenario: string, allocator: string, places: TokenPlaces, subject?: 'program'): TokenFiles {
  if (subject === 'program') return { scenario: resolveFile('program', scenario, moduleFile, '.ts, .js, .mts or .mjs', places), allocator: undefined, program: true };
  const scenarioPath = resolveFile('scenario', scenario, scenarioFile, '.ts, .js or .mjs', places);
  if (allocators[allocator]) return { scenario: scenarioPath, allocator: { builtin: allocator } };
  if (!moduleFile.test(allocator)) {
    throw new UsageError(`replay token names the allocator ${quote(allocator)}, which is neither a built-in (${Object.keys(allocators).join(', ')}) nor a module file (.ts, .js, .mts or .mjs)`);
  }
  return { scenario: scenarioPath, allocator: { module: resolveFile('allocator', allocator, moduleFile, '.ts, .js, .mts or .mjs', places) } };
}

function resolveFile(what: string, name: string, pattern: RegExp, extensions: string, places: TokenPlaces): string {
  const named = `replay token names the ${what} ${quote(name)}`;
  // A NUL would make the file system calls throw a TypeError; other control characters are no file anyone meant.
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new UsageError(`${named}, which has control characters in it`);
  if (!pattern.test(name)) throw new UsageError(`${named}, which is not a ${what} file (${extensions})`);
  const absolute = path.resolve(places.projectRoot, name);
  const [projectReal, currentReal] = [places.projectRoot, places.currentFolder].map((folder) => {
    try {
      return realpathSync(folder);
    } catch {
      return undefined;
    }
  });
  const roots = [projectReal, currentReal].filter((root) => root !== undefined);
  const where = `the project (${places.projectRoot}) and the current folder (${places.currentFolder})`;
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    // Said apart so that a token naming a missing file elsewhere is refused for where it points, not for being missing.
    const lexicallyInside = [places.projectRoot, places.currentFolder, ...roots].some((root) => isInside(absolute, path.resolve(root)));
    if (!lexicallyInside) {
      throw new UsageError(`${named}, which is outside ${where}: a token may load files only from those`);
    }
    throw new UsageError(`${named}, which does not exist (looked for ${quote(absolute)})`);
  }
  if (!roots.some((root) => isInside(real, root))) {
    const resolved = real === absolute ? '' : ` (it resolves to ${quote(real)})`;
    throw new UsageError(`${named}, which is outside ${where}${resolved}: a token may load files only from those`);
  }
  const project = projectReal !== undefined && isInside(real, projectReal) ? path.relative(projectReal, real).split(path.sep) : [];
  if (real.split(path.sep).includes('node_modules') || runsWhenImported(project)) {
    throw new UsageError(`${named}, which runs something when imported (a command, a worker, a test, an installed package): a token may load only scenarios, allocators and programs`);
  }
  if (!statSync(real).isFile()) throw new UsageError(`${named}, which is not a file`);
  return real;
}

/**
 * Files inside the project that do something when imported, so no token may name them: src/cli/*.ts
 * run their command, workers/*.mjs start a worker's task, a package's bin script acts on
 * process.argv, and a test file runs its suite. Other modules only define things; a user's own
 * allocator may sit anywhere else in the project, src/fixtures/ included.
 */
function runsWhenImported(project: string[]): boolean {
  if (project.length < 2) return false;
  const [top, next] = project;
  const name = project[project.length - 1]!;
  return (top === 'src' && next === 'cli') || top === 'workers' || top === 'node_modules' || /\.(test|spec)\.[cm]?[jt]s$|\.d\.[cm]?ts$/.test(name);
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** One line saying what a replay will load, each file relative to the current folder when inside it. */
export function describeTokenFiles(files: TokenFiles, places: TokenPlaces = defaultPlaces()): string {
  const shown = (file: string) => {
    const relative = path.relative(places.currentFolder, file);
    return isInside(file, path.resolve(places.currentFolder)) ? relative : file;
  };
  if (!files.allocator) return `loads program ${shown(files.scenario)}`;
  const allocator = 'builtin' in files.allocator ? `built-in allocator ${files.allocator.builtin}` : `allocator module ${shown(files.allocator.module)}`;
  return `loads scenario ${shown(files.scenario)} and ${allocator}`;
}
