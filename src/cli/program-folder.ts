/** The program files a list names: files as they are, folders as the .ts/.js/.mjs files directly in them, sorted. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../io/usage-error.ts';
import { userCwd } from '../io/user-cwd.ts';

export function programFiles(named: readonly string[]): string[] {
  const files: string[] = [];
  for (const name of named) {
    const absolute = path.resolve(userCwd(), name);
    let isFolder: boolean;
    try {
      isFolder = statSync(absolute).isDirectory();
    } catch {
      throw new UsageError(`--programs: no such file or folder ${JSON.stringify(name)}`);
    }
    if (!isFolder) files.push(name);
    else {
      for (const entry of readdirSync(absolute).sort()) {
        if (/(?<!\.test|\.d)\.(?:ts|js|mjs)$/.test(entry) && statSync(path.join(absolute, entry)).isFile()) files.push(path.join(name, entry));
      }
    }
  }
  return files;
}
