import {writeFileSync} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestResultFile } from './load-results.ts';
import { testDir } from '../testing/test-dir.ts';

describe('latestResultFile', () => {
  it('picks the newest sweep by the time in its name, old (seconds) and new (milliseconds) stamps alike', () => {
    const dir = testDir('latest');
    for (const name of ['stress-churn-20261122T001515Z.json', 'stress-churn-20261122T001515123Z.json', 'stress-known-bugs_x-20261122T001514999Z.json', 'report.html', 'stress-notes.txt']) {
      writeFileSync(path.join(dir, name), '{}');
    }
    expect(path.basename(latestResultFile(dir))).toBe('stress-churn-20261122T001515123Z.json');
  });

  it('says what to do when there is none', () => {
    const dir = testDir('latest');
    expect(() => latestResultFile(dir)).toThrow(/no stress result files in .*; run npm start or npm run stress first, or name a file/);
    expect(() => latestResultFile(path.join(dir, 'missing'))).toThrow(/no stress result files/);
  });
});
