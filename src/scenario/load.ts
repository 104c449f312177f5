/**
 * Finding, importing and validating scenario files.
 *
 * A scenario file is a module whose default export is a scenario object, usually wrapped in
 * `defineScenario`. Every problem with one (not found, does not import, no default export, fails the
 * schema) becomes a one-line {@link UsageError} that starts with the file, because the fix is always in
 * that file or in the name the user typed.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as v from 'valibot';
import { UsageError } from '../io/usage-error.ts';
import { shownPath, userCwd } from '../io/user-cwd.ts';
import { scenarioSchema, type Scenario } from './schema.ts';

// Resolved from this module rather than the working directory, so `pagerace run smoke` works from any
// folder of the checkout.
const defaultScenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

// Tried in order after the name as written, so `smoke`, `smoke.ts` and `./my/smoke.mjs` all resolve.
const extensions = ['', '.ts', '.js', '.mjs'];
const scenarioFile = /(?<!\.test|\.d)\.(?:ts|js|mjs)$/;

// The first few issues are enough to fix a file; a wall of them would break the one-line rule anyway.
const maxIssuesShown = 3;
const maxSuggestions = 3;
const maxIssueLength = 300;

/** Where {@link loadScenario} looks. */
export interface LoadOptions {
  /** Base for relative paths; defaults to the folder the user typed the command in. */
  cwd?: string;
  /** Folder of named scenarios; defaults to the repository's `scenarios/`. */
  scenariosDir?: string;
}

/** A scenario and the file it came from. */
export interface LoadedScenario {
  /** The validated, normalized scenario. */
  scenario: Scenario;
  /** Absolute path of the scenario file. */
  file: string;
}

/**
 * Loads a scenario by path or by name.
 *
 * @param nameOrPath A file path relative to `cwd`, with or without its `.ts`, `.js` or `.mjs` extension;
 *   or a name inside the scenarios folder, subfolders included: `smoke`, `known-bugs/racy-rmw`.
 *   A file path wins over a name.
 * @throws UsageError, on one line naming the file: not found (with the available scenarios closest to
 *   the name), failed to import, no default export, or the first schema problems with their field paths.
 */
export async function loadScenario(nameOrPath: string, opts: LoadOptions = {}): Promise<LoadedScenario> {
  const cwd = opts.cwd ?? userCwd();
  const scenariosDir = opts.scenariosDir ?? defaultScenariosDir;
  const file = await resolveScenario(nameOrPath, cwd, scenariosDir);
  const where = displayPath(file, cwd);
  let module: unknown;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new UsageError(`${where}: could not import: ${firstLine(error)}`);
  }
  if (!isRecord(module) || module['default'] === undefined) {
    throw new UsageError(`${where}: no default export; end the file with export default defineScenario({ ... })`);
  }
  return { scenario: validateScenario(module['default'], where), file };
}

/**
 * Validates and normalizes a scenario object, the schema half of {@link loadScenario}.
 *
 * @param input What a scenario file default-exports.
 * @param where The file (or other source) to name in errors; a scenario without a `name` is named after
 *   its base name without extension.
 * @throws UsageError `"<where>: <field path>: <problem>"` on one line, e.g.
 *   `scenarios/foo.ts: workload.maxHeldPages: expected an integer >= 1, got 0`.
 */
export function validateScenario(input: unknown, where: string): Scenario {
  // The schema cannot know the file, so the default name goes in before parsing, as if the file had
  // written it.
  let result;
  try {
    const named = isRecord(input) && input['name'] === undefined ? { ...input, name: baseName(where) } : input;
    result = v.safeParse(scenarioSchema, named);
  } catch (error) {
    // A getter that throws, a Proxy: reading the scenario ran code of the file's, and it failed. The
    // schema's output is built of plain values, so nothing past this point reads the file's objects.
    throw new UsageError(oneLine(`${where}: reading the scenario threw: ${firstLine(error)}`));
  }
  if (result.success) return result.output;
  // Each issue cut at a length that fits a line: a message quotes the file's values, and unknown keys
  // and values can be any length.
  const shown = result.issues.slice(0, maxIssuesShown).map((issue) => {
    const field = v.getDotPath(issue);
    const text = field ? `${field}: ${issue.message}` : issue.message;
    return text.length > maxIssueLength ? `${text.slice(0, maxIssueLength)}...` : text;
  });
  const more = result.issues.length - shown.length;
  throw new UsageError(oneLine(`${where}: ${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`));
}

/**
 * Lists the scenarios in a folder, subfolders included, as names {@link loadScenario} accepts:
 * `smoke`, `known-bugs/racy-rmw`. Sorted; empty if the folder does not exist.
 *
 * @param dir The folder; defaults to the repository's `scenarios/`.
 */
export async function listScenarios(dir: string = defaultScenariosDir): Promise<string[]> {
  const names: string[] = [];
  async function walk(folder: string, prefix: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (prefix === '' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) await walk(path.join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile() && scenarioFile.test(entry.name)) {
        names.push(prefix + entry.name.replace(/\.(?:ts|js|mjs)$/, ''));
      }
    }
  }
  await walk(dir, '');
  return names.sort();
}

async function resolveScenario(nameOrPath: string, cwd: string, scenariosDir: string): Promise<string> {
  // A bare name (`smoke`) means a shipped scenario even if the current folder has a file of that name;
  // anything that looks like a path (`./x`, `scenarios/known-bugs/y`) is looked up from cwd first.
  const looksLikePath = /[\\/]/.test(nameOrPath) || nameOrPath.startsWith('.');
  const bases = [path.resolve(cwd, nameOrPath), path.resolve(scenariosDir, nameOrPath)];
  for (const base of looksLikePath ? bases : bases.reverse()) {
    for (const extension of extensions) {
      if (await isFile(base + extension)) return base + extension;
    }
  }
  const available = await listScenarios(scenariosDir);
  const folder = displayPath(scenariosDir, cwd).replace(/[\\/]+$/, '');
  const hint =
    available.length === 0
      ? `${folder}/ has no scenarios`
      : `available, closest first: ${closest(nameOrPath, available).join(', ')}`;
  // Only a relative name can be a scenario's name; an absolute path is a file or nothing.
  const typed = /\.(?:ts|js|mjs)$/.test(nameOrPath) ? nameOrPath : `${nameOrPath}.ts`;
  const where = path.isAbsolute(nameOrPath) ? `no such file` : `no such file in ${cwdName(cwd)}, and no ${displayPath(path.join(scenariosDir, typed), cwd)}`;
  throw new UsageError(oneLine(`scenario ${JSON.stringify(nameOrPath)} not found: ${where}; ${hint}`));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The few names nearest to `wanted` by edit distance, matching either the whole name or its last part. */
function closest(wanted: string, names: string[]): string[] {
  const distance = (name: string) =>
    Math.min(editDistance(wanted, name), editDistance(wanted, name.slice(name.lastIndexOf('/') + 1)));
  return names
    .map((name) => ({ name, distance: distance(name) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, maxSuggestions)
    .map(({ name }) => name);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

// Paths under the user's folder read better relative (`scenarios/foo.ts`); others stay absolute.
function displayPath(file: string, cwd: string): string {
  return shownPath(file, cwd);
}

function cwdName(cwd: string): string {
  return cwd === userCwd() ? 'this folder' : shownPath(cwd);
}

function baseName(where: string): string {
  return path.basename(where).replace(/\.(?:ts|js|mjs)$/, '');
}

// The first line of an import error, because a stack or code frame does not fit a one-line message.
// Transformers open with a header ("Transform failed with 1 error:") and put the syntax error, often
// with its line and column, on the next line, so a header ending in ':' is skipped.
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    // Transformers color their messages for a terminal; the colors would garble ours.
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.find((line) => !line.endsWith(':')) ?? lines[0] ?? 'unknown error';
}

function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
