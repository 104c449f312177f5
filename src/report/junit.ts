/**
 * JUnit XML for CI systems: one test case per explored allocator, failing with the violation and the
 * replay command when the exploration did not show what its scenario expects.
 */
import { writeTextAtomic } from './result-file.ts';
import type { ExploreResult } from '../controlled/explore.ts';

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function junitXml(results: ExploreResult[]): string {
  const failures = results.filter((r) => !r.ok).length;
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const cases = results.map((r) => {
    const name = `${r.scenario} on ${r.allocator} (${r.strategy}, shard ${r.shard})`;
    const head = `    <testcase classname="pagerace.explore.${escape(r.scenario)}" name="${escape(name)}" time="${r.seconds.toFixed(3)}">`;
    if (r.ok) return `${head}\n      <system-out>${escape(`${r.schedules} schedules, ${r.steps} steps${r.finding ? `, found ${r.finding.violation.kind}` : ''}${coveredText(r)}`)}</system-out>\n    </testcase>`;
    const what = r.nondeterminism
      ? `nondeterministic at schedule ${r.nondeterminism.schedule}, step ${r.nondeterminism.step}`
      : r.finding
        ? `${r.finding.violation.kind}: ${r.finding.violation.message}`
        : `expected ${Array.isArray(r.expected) ? r.expected.join(', ') : r.expected}, found nothing in ${r.schedules} schedules${coveredText(r)}`;
    const body = r.finding ? `${r.finding.trace}\n\nreplay: ${r.finding.replayCommand}` : what;
    return `${head}\n      <failure message="${escape(what)}">${escape(body)}</failure>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="pagerace explore" tests="${results.length}" failures="${failures}" time="${seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** `; covered: 2x8 (22 pages) 250 schedules, ...`: the sizes an exploration ran. */
function coveredText(r: ExploreResult): string {
  if (!r.covered || r.covered.length === 0) return '';
  return `; covered: ${r.covered.map((c) => `${c.threads}x${c.ops} (${c.pages} pages) ${c.schedules} schedules`).join(', ')}`;
}

export function writeJUnit(file: string, results: ExploreResult[]): void {
  writeTextAtomic(file, junitXml(results));
}
