import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../io/usage-error.ts';
import { listScenarios, loadScenario, validateScenario } from './load.ts';

const valid = `{ description: 'from a temp dir', memory: '1MiB', threads: [2, 1, 2], seed: 3, expect: 'pass' }`;

let root: string;
let scenariosDir: string;
// A working directory with nothing in it, so that no stray file in the system's temp folder can
// shadow a scenario name.
let empty: string;

async function write(relative: string, text: string): Promise<string> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function usageErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected a UsageError, but the scenario loaded');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(UsageError);
  const { message } = error as UsageError;
  expect(message).not.toContain('\n');
  return message;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pagerace-load-'));
  scenariosDir = path.join(root, 'scenarios');
  empty = path.join(root, 'empty');
  await mkdir(empty);
  await write('ok.ts', `export default ${valid};\n`);
  await write('named.mjs', `export default { ...${valid}, name: 'my-name' };\n`);
  await write('nodefault.ts', `export const scenario = ${valid};\n`);
  await write('syntax.ts', `export default {\n  description: 'x',\n  memory: 8,,\n};\n`);
  await write('syntax.mjs', `export default { description: 'x' memory: 8 };\n`);
  await write('throws.ts', `throw new Error('boom at import\\nsecond line');\n`);
  await write('zero-held.ts', `export default { ...${valid}, workload: { maxHeldPages: 0 } };\n`);
  await write('bogus.ts', `export default { ...${valid}, workload: { bogus: 1 } };\n`);
  await write('scenarios/smoke-x.ts', `export default ${valid};\n`);
  await write('scenarios/known-bugs/racy.ts', `export default { ...${valid}, expect: ['double-allocation'] };\n`);
  await write('scenarios/known-bugs/helper.test.ts', 'export {};\n');
  await write('scenarios/types.d.ts', 'export {};\n');
  await write('scenarios/README.md', '# not a scenario\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadScenario', () => {
  test('loads a file by path, with or without its extension, named after the file', async () => {
    for (const nameOrPath of ['ok.ts', 'ok', './ok', path.join(root, 'ok.ts')]) {
      const { scenario, file } = await loadScenario(nameOrPath, { cwd: root, scenariosDir });
      expect(file).toBe(path.join(root, 'ok.ts'));
      expect(scenario.name).toBe('ok');
      expect(scenario.pages).toBe(256);
      expect(scenario.threads).toEqual([1, 2]);
      expect(scenario.seed).toBe('3');
    }
  });

  test('keeps a name the file sets, and loads .mjs', async () => {
    const { scenario } = await loadScenario('named', { cwd: root, scenariosDir });
    expect(scenario.name).toBe('my-name');
  });

  test('finds a named scenario in the scenarios folder, subfolders included', async () => {
    const { scenario, file } = await loadScenario('known-bugs/racy', { cwd: empty, scenariosDir });
    expect(file).toBe(path.join(scenariosDir, 'known-bugs', 'racy.ts'));
    expect(scenario.expect).toEqual(['double-allocation']);
    expect((await loadScenario('smoke-x', { cwd: empty, scenariosDir })).file).toBe(
      path.join(scenariosDir, 'smoke-x.ts'),
    );
  });

  test("defaults to the repository's scenarios folder", async () => {
    const { scenario, file } = await loadScenario('smoke', { cwd: empty });
    expect(file).toMatch(/[/\\]scenarios[/\\]smoke\.ts$/);
    expect(scenario).toMatchObject({ name: 'smoke', pages: 4096, threads: [1, 2, 4], ops: 2000, seed: 'smoke-1' });
  });

  test('a missing scenario names what was asked for and the closest available scenarios', async () => {
    const message = await usageErrorOf(loadScenario('racy', { cwd: root, scenariosDir }));
    expect(message).toMatch(/^scenario "racy" not found: .*scenarios\/racy\.ts/);
    expect(message).toMatch(/closest first: known-bugs\/racy, smoke-x$/);
  });

  test('a missing scenario with no scenarios folder says so', async () => {
    const message = await usageErrorOf(loadScenario('nope', { cwd: root, scenariosDir: path.join(root, 'none') }));
    expect(message).toContain('"nope"');
    expect(message).toContain('none/ has no scenarios');
  });

  test('a file without a default export', async () => {
    const message = await usageErrorOf(loadScenario('nodefault.ts', { cwd: root, scenariosDir }));
    expect(message).toMatch(/^nodefault\.ts: no default export/);
  });

  test.each(['syntax.ts', 'syntax.mjs'])('%s with a syntax error gives one line, past the transform header', async (name) => {
    const message = await usageErrorOf(loadScenario(name, { cwd: root, scenariosDir }));
    expect(message.startsWith(`${name}: could not import: `)).toBe(true);
    expect(message).not.toMatch(/:$/);
  });

  test('a file that throws while importing', async () => {
    const message = await usageErrorOf(loadScenario('throws', { cwd: root, scenariosDir }));
    expect(message).toBe('throws.ts: could not import: boom at import');
  });

  test('schema problems name the file, the field path and the problem', async () => {
    expect(await usageErrorOf(loadScenario('zero-held', { cwd: root, scenariosDir }))).toBe(
      'zero-held.ts: workload.maxHeldPages: expected an integer >= 1, got 0',
    );
    expect(await usageErrorOf(loadScenario('bogus', { cwd: root, scenariosDir }))).toMatch(
      /^bogus\.ts: workload\.bogus: unknown key "bogus"/,
    );
  });

  test('a file outside the working directory is named by its absolute path', async () => {
    const message = await usageErrorOf(loadScenario(path.join(root, 'bogus.ts'), { cwd: empty }));
    expect(message.startsWith(`${path.join(root, 'bogus.ts')}: workload.bogus: `)).toBe(true);
  });
});

describe('validateScenario', () => {
  const input = { description: 'inline', memory: 64, threads: 2, seed: 's', expect: 'pass' };

  test('names an unnamed scenario after the base name of where it came from', () => {
    expect(validateScenario(input, 'scenarios/known-bugs/racy-rmw.ts').name).toBe('racy-rmw');
    expect(validateScenario({ ...input, name: 'kept' }, 'x.ts').name).toBe('kept');
  });

  test('does not modify its input', () => {
    const copy = structuredClone(input);
    validateScenario(input, 'x.ts');
    expect(input).toEqual(copy);
  });

  test('a non-object', () => {
    expect(() => validateScenario(42, 'x.ts')).toThrow(new UsageError('x.ts: expected a scenario object, got 42'));
  });

  test('several problems stay on one line, the first three shown', () => {
    const bad = { ...input, threads: 0, seed: '', lock: 'yes', bogus: 1 };
    let message = '';
    try {
      validateScenario(bad, 'x.ts');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'x.ts: threads: expected a thread count from 1 to 64, got 0; seed: expected a non-empty string or a number, got ""; ' +
        'lock: expected true or false, got "yes" (and 1 more)',
    );
  });
});

describe('listScenarios', () => {
  test('lists scenario modules by name, subfolders included, skipping tests, declarations and other files', async () => {
    expect(await listScenarios(scenariosDir)).toEqual(['known-bugs/racy', 'smoke-x']);
  });

  test('is empty for a folder that does not exist', async () => {
    expect(await listScenarios(path.join(root, 'none'))).toEqual([]);
  });

  test("defaults to the repository's scenarios folder", async () => {
    expect(await listScenarios()).toContain('smoke');
  });
});
