import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../testing/test-dir.ts';
import { latestResultFile } from './load-results.ts';
import { checkOutDir, checkOutFile, createExclusive, writeTextAtomic } from './result-file.ts';

describe('createExclusive', () => {
  it('gives two sweeps of the same millisecond a file each: the second gets -2, the third -3', () => {
    const dir = testDir('exclusive');
    const base = 'stress-smoke-20261201T120000000Z';
    const files = ['first', 'second', 'third'].map((text) => createExclusive(dir, base, '.json', text));
    expect(files.map((file) => path.basename(file))).toEqual([`${base}.json`, `${base}-2.json`, `${base}-3.json`]);
    expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(['first', 'second', 'third']);
    // And the newest of them is the one that came last.
    expect(path.basename(latestResultFile(dir))).toBe(`${base}-3.json`);
  });
});

describe('writeTextAtomic', () => {
  it('removes the temporaries of dead writers (kill -9 between write and rename), keeps a live one\'s', () => {
    const dir = testDir('stale');
    const file = path.join(dir, 'report.html');
    // A pid that cannot be running: above the kernel's pid_max (at most 2^22).
    const dead = `${file}.${2 ** 22 + 1}.tmp`;
    // Pid 1 is always running.
    const live = `${file}.1.tmp`;
    const other = path.join(dir, 'report-throughput.svg.99999999.tmp');
    for (const name of [dead, live, other]) writeFileSync(name, 'half');
    writeTextAtomic(file, 'whole');
    expect(readFileSync(file, 'utf8')).toBe('whole');
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    // Another file's temporaries are that file's writer's business.
    expect(existsSync(other)).toBe(true);
  });

  it('leaves no temporary behind when the rename fails (the target is a folder)', () => {
    const dir = testDir('rename-fails');
    const target = path.join(dir, 'junit.xml');
    mkdirSync(target);
    expect(() => writeTextAtomic(target, '<xml/>')).toThrow();
    expect(readdirSync(dir)).toEqual(['junit.xml']);
  });
});

describe('checkOutDir and checkOutFile', () => {
  it('refuse a file given as a folder, a folder given as a file, and a path under a file, in one line', () => {
    const dir = testDir('out');
    const file = path.join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => checkOutDir(file)).toThrow(/a-file: is a file, not a folder; --out takes a folder$/);
    expect(() => checkOutDir(path.join(file, 'sub'))).toThrow(/a-file\/sub: a part of this path is a file, not a folder$/);
    expect(() => checkOutFile(dir, '--junit')).toThrow(/^--junit .*: is a folder; give a file name$/);
    checkOutDir(path.join(dir, 'new', 'folder'));
    expect(existsSync(path.join(dir, 'new', 'folder'))).toBe(true);
    // The probe it writes is gone again.
    expect(readdirSync(path.join(dir, 'new', 'folder'))).toEqual([]);
  });
});
