/**
 * The folder the user typed the command in. `npm run` starts scripts in the package root, whatever
 * folder it was called from, and says where that was in INIT_CWD: a relative path the user typed
 * (`--allocator ./mine.ts` from `src/`) means a file beside them, not beside package.json.
 */
import path from 'node:path';

export function userCwd(): string {
  const typedIn = process.env['INIT_CWD'];
  return typedIn !== undefined && typedIn !== '' && path.isAbsolute(typedIn) ? typedIn : process.cwd();
}

/** A path the user typed, made absolute against the folder they typed it in. */
export function userPath(typed: string): string {
  return path.resolve(userCwd(), typed);
}

/**
 * A file as messages and printed commands name it: relative to the user's folder when inside it, else
 * absolute. One way everywhere, so that a report never shows one file as `./mine.ts`, `mine.ts` and
 * `/abs/mine.ts`.
 */
export function shownPath(file: string, cwd = userCwd()): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
