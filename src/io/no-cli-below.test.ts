/**
 * The commands sit on top: no module outside src/cli/ imports one inside it. What several layers need
 * from the command line's world (the one-line usage error, the folder the user typed in, shell quoting,
 * terminal-safe text) lives in src/io/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../testing/cli.ts';

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(path.join(dir, e.name)) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

describe('layering', () => {
  it('no module below src/cli/ imports src/cli/', () => {
    const cli = path.join(repoRoot, 'src', 'cli') + path.sep;
    const offenders: string[] = [];
    for (const file of modules(path.join(repoRoot, 'src'))) {
      if (file.startsWith(cli)) continue;
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        if (path.resolve(path.dirname(file), spec!).startsWith(cli)) offenders.push(`${path.relative(repoRoot, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
