/**
 * The layers, as imports show them. The commands sit on top: no module outside src/cli/ imports one
 * inside it (what several layers need from the command line's world, the one-line usage error, the
 * folder the user typed in, shell quoting, terminal-safe text, lives in src/io/). The two drivers, stress
 * (src/stress/) and controlled (src/controlled/), never import each other: what both need is in
 * src/harness/ (barriers, run aborts, limits, the user host, worker limits) and in the subject they run
 * (src/subjects/allocator/: the allocator thread's body, its workload, layout, op log and set-up).
 * Programs and objects (src/subjects/program/, src/subjects/object/) sit on the drivers: no driver
 * imports them, and a controlled worker's entry (workers/controlled.mjs) hands a program's task over.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../testing/cli.ts';

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(path.join(dir, e.name)) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

const folder = (name: string) => path.join(repoRoot, 'src', name) + path.sep;

/** Every import from a module under `from` of a module under `to`, as `file imports spec`. */
function imports(from: string, to: string, except?: string): string[] {
  const offenders: string[] = [];
  for (const file of modules(path.join(repoRoot, 'src'))) {
    if (!file.startsWith(from) || (except !== undefined && file.startsWith(except))) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      if (path.resolve(path.dirname(file), spec!).startsWith(to)) offenders.push(`${path.relative(repoRoot, file)} imports ${spec}`);
    }
  }
  return offenders;
}

describe('layering', () => {
  it('no module below src/cli/ imports src/cli/', () => {
    expect(imports(path.join(repoRoot, 'src') + path.sep, folder('cli'), folder('cli'))).toEqual([]);
  });

  it('the stress driver and the controlled driver do not import each other', () => {
    expect(imports(folder('controlled'), folder('stress'))).toEqual([]);
    expect(imports(folder('stress'), folder('controlled'))).toEqual([]);
  });

  it('the drivers import no program or object subject: those are built on the drivers, not in them', () => {
    const subjects = [folder(path.join('subjects', 'program')), folder(path.join('subjects', 'object'))];
    const drivers = [folder('controlled'), folder('stress'), folder('harness')];
    expect(drivers.flatMap((driver) => subjects.flatMap((subject) => imports(driver, subject)))).toEqual([]);
  });

  it("a subject's stress side imports nothing of the controlled driver", () => {
    const stressSide = path.join(repoRoot, 'src', 'subjects', 'program', 'stress-');
    expect(imports(stressSide, folder('controlled'))).toEqual([]);
  });

  it('the harness core imports neither driver nor the commands', () => {
    expect([...imports(folder('harness'), folder('stress')), ...imports(folder('harness'), folder('controlled')), ...imports(folder('harness'), folder('cli'))]).toEqual([]);
  });
});
