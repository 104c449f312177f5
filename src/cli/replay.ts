/**
 * `npm run replay -- <token> [--json]`: re-runs exactly the interleaving a token records. Same steps,
 * same violation, same trace; a replay that departs from the recording stops there and says where.
 *
 * Exit codes: 0 the recorded violation (same kind) happened again with the same trace digest, 1 not,
 * 2 a bad, corrupted or stale token (or one that no longer matches the code), 3 pagerace failed.
 */
import { parsePoints } from '../controlled/plain-access-mode.ts';
import { replay } from '../controlled/replay-run.ts';
import { formatViolation } from '../report/format-violation.ts';
import { parseFlags } from './args.ts';
import { runCommand } from './main.ts';
import { ExitCode, UsageError } from './usage-error.ts';

await runCommand('replay', async () => {
  const { values, positionals } = parseFlags(
    process.argv.slice(2),
    { json: { type: 'boolean', default: false }, points: { type: 'string' }, help: { type: 'boolean', default: false } },
    true,
  );
  if (values.help || positionals.length !== 1) {
    if (values.help) {
      console.log('usage: npm run replay -- <token> [--points atomics|all] [--json]   (default: the points the token was made with)');
      return ExitCode.ok;
    }
    throw new UsageError(`expected one replay token, got ${positionals.length === 0 ? 'none' : `${positionals.length} arguments`}`);
  }
  const result = await replay(positionals[0]!, process.cwd(), values.points === undefined ? undefined : parsePoints(values.points));
  if (result.outcome === 'diverged') {
    throw new UsageError(`replay diverged from its token: ${result.divergence} (the code or the scenario changed since it was recorded; explore again)`);
  }
  const { token } = result;
  if (values.json) {
    console.log(JSON.stringify({ outcome: result.outcome, violation: result.violation, violations: result.violations, steps: result.steps, traceDigest: result.traceDigest, sameTrace: result.sameTrace, sameViolation: result.sameViolation, trace: result.trace }, null, 2));
  } else {
    console.log(`replay ${token.scenario} on ${token.allocator}: ${token.threads} threads x ${token.ops} ops, ${token.pages} pages, ${token.schedule.length} recorded steps (${token.strategy})`);
    if (result.violation) {
      console.log(formatViolation(result.violation, { scenario: token.scenario, seed: token.seed, allocator: token.allocator, threads: token.threads, reproduce: `npm run replay -- ${positionals[0]!.trim()}` }));
    } else console.log('no violation');
    if (!result.sameViolation) console.log(`\nthe token recorded a ${token.kind}; this replay did not end with one`);
    console.log(`\n${result.trace}\n\ntrace digest ${result.traceDigest} (${result.sameTrace ? 'same as recorded' : `recorded ${token.digest}: DIFFERENT`})`);
  }
  return result.outcome === 'violation' && result.sameTrace && result.sameViolation ? ExitCode.ok : ExitCode.expectationFailed;
});
