/**
 * `npm run replay -- <token | FILE | -> [--json]`: re-runs exactly the interleaving a token records.
 * Same steps, same violation, same trace; a replay that departs from the recording stops there and
 * says where. The token is the argument itself, or the contents of a file (`--file FILE`, or a path as
 * the argument: explore writes a long token to one, since a command line of 300,000 characters is
 * "Argument list too long"), or stdin (`-`).
 *
 * The token is checked whole (token.ts) before anything is done with it, and the line saying which
 * files the replay loads comes before they are loaded.
 *
 * Exit codes: 0 the recorded violation (same kind) happened again with the same trace digest, 1 not,
 * 2 a bad, corrupted or stale token (or one that no longer matches the code), 3 pagerace failed.
 */
import { parseEngine } from '../controlled/engine.ts';
import { onEngine } from '../controlled/on-engine.ts';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parsePoints } from '../controlled/plain-access-mode.ts';
import { replay } from '../controlled/replay-run.ts';
import { replayProgramCommand } from './replay-program.ts';
import { defaultPlaces, describeTokenFiles } from '../controlled/token-files.ts';
import { INLINE_TOKEN_CHARS } from '../controlled/explore.ts';
import { decodeToken, MAX_TOKEN_CHARS, TOKEN_PREFIX } from '../controlled/token.ts';
import { quote } from '../controlled/untrusted-text.ts';
import { formatViolation } from '../report/format-violation.ts';
import { parseFlags } from './args.ts';
import { runCommand } from './main.ts';
import { shellQuote } from '../io/shell-quote.ts';
import { ExitCode, UsageError } from '../io/usage-error.ts';

const usage = 'usage: npm run replay -- <token | FILE | -> [--points atomics|all] [--engine coroutines|workers] [--json]   (or --file FILE; - reads the token from stdin; --points: default, those the token was made with; --engine: default coroutines, the same schedule on either)';

/** A token file may hold the token and a few lines of whitespace around it, no more. */
const MAX_INPUT_BYTES = MAX_TOKEN_CHARS + 4096;


await runCommand('replay', async () => {
  const { values, positionals } = parseFlags(
    process.argv.slice(2),
    { json: { type: 'boolean', default: false }, file: { type: 'string' }, points: { type: 'string' }, engine: { type: 'string' }, help: { type: 'boolean', default: false } },
    true,
  );
  if (values.help) {
    console.log(usage);
    return ExitCode.ok;
  }
  const points = values.points === undefined ? undefined : parsePoints(values.points);
  const engine = values.engine === undefined ? undefined : parseEngine(values.engine);
  const input = await tokenInput(values.file, positionals);
  const token = decodeToken(input.text);
  // With --json, stdout is one JSON object and nothing else.
  (values.json ? console.error : console.log)(`replay ${describeTokenFiles(token.files)}`);
  if (token.subject === 'program') return replayProgramCommand(token, points, engine, input.command, values.json);
  const result = await onEngine(engine, values.json, (e) => replay(token, points, e));
  if (result.outcome === 'diverged') {
    throw new UsageError(`replay diverged from its token: ${result.divergence} (the code or the scenario changed since it was recorded; explore again)`);
  }
  if (values.json) {
    console.log(JSON.stringify({ outcome: result.outcome, violation: result.violation, violations: result.violations, steps: result.steps, traceDigest: result.traceDigest, sameTrace: result.sameTrace, sameViolation: result.sameViolation, trace: result.trace }, null, 2));
  } else {
    console.log(`replay ${token.scenario} on ${token.allocator}: ${token.threads} threads x ${token.ops} ops, ${token.pages} pages, ${token.schedule.length} recorded steps (${token.strategy})`);
    if (result.violation) {
      console.log(formatViolation(result.violation, { scenario: token.scenario, seed: token.seed, allocator: token.allocator, threads: token.threads, reproduce: input.command }));
    } else console.log('no violation');
    if (!result.sameViolation) console.log(`\nthe token recorded a ${token.kind}; this replay did not end with one`);
    console.log(`\n${result.trace}\n\ntrace digest ${result.traceDigest} (${result.sameTrace ? 'same as recorded' : `recorded ${token.digest}: DIFFERENT`})`);
  }
  return result.outcome === 'violation' && result.sameTrace && result.sameViolation ? ExitCode.ok : ExitCode.expectationFailed;
});

interface TokenInput {
  text: string;
  /** The command that replays the same token again, as printed under a violation. */
  command: string;
}

async function tokenInput(file: string | undefined, positionals: string[]): Promise<TokenInput> {
  if (file !== undefined) {
    if (positionals.length > 0) throw new UsageError(`expected a token or --file, not both (got --file and ${positionals.length} argument${positionals.length === 1 ? '' : 's'})`);
    return fromFile(file);
  }
  if (positionals.length !== 1) {
    throw new UsageError(`expected one replay token, a file that holds one, or - for stdin; got ${positionals.length === 0 ? 'none' : `${positionals.length} arguments`} (${usage})`);
  }
  const arg = positionals[0]!;
  if (arg === '-') {
    const text = await readBounded(process.stdin, 'stdin');
    // Said as it is: the same token on stdin again, or, when short, the token itself.
    return { text, command: text.trim().length <= INLINE_TOKEN_CHARS ? `npm run replay -- ${text.trim()}` : 'npm run replay -- - (with the same token on stdin)' };
  }
  // A word that starts like a token is one, damaged or not; anything else that names a file is a file.
  if (!arg.trimStart().startsWith(TOKEN_PREFIX)) {
    if (isFile(resolveInput(arg))) return fromFile(arg);
    if (/[\\/]|\.(?:token|txt)$/.test(arg)) throw new UsageError(`no such token file ${quote(arg)} (looked for ${quote(resolveInput(arg))})`);
  }
  const text = arg.trim();
  return { text, command: `npm run replay -- ${text}` };
}

/** Paths on the command line are the user's: relative to the folder they typed the command in, which npm passes as INIT_CWD. */
function resolveInput(file: string): string {
  return path.resolve(defaultPlaces().currentFolder, file);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

async function fromFile(file: string): Promise<TokenInput> {
  const text = await readBounded(createReadStream(resolveInput(file)), `token file ${quote(file)}`);
  return { text, command: `npm run replay -- ${shellQuote(file)}` };
}

/**
 * Reads a stream whole, as UTF-8, refusing it the moment it passes MAX_INPUT_BYTES: a token file may be
 * a FIFO, a device or a file that grows, so its size on disk says nothing.
 */
async function readBounded(stream: Readable, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      if (bytes > MAX_INPUT_BYTES) {
        stream.destroy();
        throw new UsageError(`${what} holds more than ${MAX_INPUT_BYTES.toLocaleString('en-US')} bytes, and a replay token is at most ${MAX_TOKEN_CHARS.toLocaleString('en-US')} characters`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? (error as Error).message)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError(`${what} is not a replay token: it is not UTF-8 text`);
  }
}
