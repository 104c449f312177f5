/**
 * Hostile replay tokens: damaged in transit, or forged with a valid checksum (anyone can compute it).
 * Every one must be refused by decodeToken with a UsageError of one line, in bounded time, before
 * anything it names is loaded; the worst of them also through the real CLI under a 256 MB heap.
 *
 * Bounds asserted: each decodeToken call under DECODE_BOUND_MS (the slowest is printed; a valid token
 * of the full 4,000,000 steps decodes in 0.7 to 1.4 s on the loaded 2-core machine), each CLI refusal
 * under CLI_BOUND_MS including tsx's start-up, and memory by the child's heap limit (a token that
 * needed more would end in a V8 heap abort, not exit 2).
 */
import { existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../io/usage-error.ts';
import { MAX_EXPLORE_OPS, MAX_EXPLORE_PAGES, MAX_EXPLORE_THREADS, MAX_STEP_BUDGET } from '../harness/limits.ts';
import { decodeToken, encodeToken, MAX_TOKEN_CHARS } from '../controlled/token.ts';
import type { TokenPlaces } from '../controlled/token-files.ts';
import { violationKinds } from '../scenario/violation-kind.ts';
import { repoRoot } from '../testing/cli.ts';
import { testDir } from '../testing/test-dir.ts';
import { CHILD_HEAP_MB, expectOneLineRefusal, forge, replayChild, seal, sealBody, validFields } from './tokens-cli.ts';

const DECODE_BOUND_MS = 5_000;
const CLI_BOUND_MS = 45_000;

const outside = testDir('tokens-outside');
const inside = path.join(repoRoot, 'results', `hostile-tokens-${process.pid}`);
const marker = path.join(outside, 'ran.txt');
const places: TokenPlaces = { projectRoot: repoRoot, currentFolder: repoRoot };

// A module that leaves a mark if it is ever imported: as allocator or as scenario, it must never be.
const evilSource = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { name: 'evil', locking: 'lock-free', maxRun: 1, sharedBytes: () => 8, init() {}, attach() { return {}; } };\n`;
const evil = path.join(outside, 'evil.mjs');

beforeAll(() => {
  writeFileSync(evil, evilSource);
  mkdirSync(inside, { recursive: true });
  // Inside the project by name, outside by realpath.
  symlinkSync(evil, path.join(inside, 'link.mjs'));
  symlinkSync(outside, path.join(inside, 'folder-link'));
  writeFileSync(path.join(inside, 'mine.ts'), 'export default {};\n');
});
afterAll(() => rmSync(inside, { recursive: true, force: true }));

let slowestMs = 0;
let slowestWhat = '';

/** decodeToken(token) must throw a one-line UsageError within DECODE_BOUND_MS; returns its message. */
function refused(token: string, what = 'token'): string {
  const started = performance.now();
  let error: unknown;
  try {
    decodeToken(token, places);
  } catch (caught) {
    error = caught;
  }
  const ms = performance.now() - started;
  if (ms > slowestMs) [slowestMs, slowestWhat] = [ms, what];
  expect(error, `accepted: ${token.slice(0, 200)}`).toBeInstanceOf(UsageError);
  const message = (error as UsageError).message;
  expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  expect(message.length).toBeLessThan(600);
  expect(ms).toBeLessThan(DECODE_BOUND_MS);
  return message;
}

let slowestCliMs = 0;
afterAll(() => {
  console.log(`slowest refusal by decodeToken: ${slowestMs.toFixed(1)} ms (${slowestWhat}); bound ${DECODE_BOUND_MS} ms`);
  console.log(`slowest refusal by the CLI (start-up included, ${CHILD_HEAP_MB} MB heap): ${slowestCliMs.toFixed(0)} ms; bound ${CLI_BOUND_MS} ms`);
});

describe('the control: tokens that are whole are accepted', () => {
  it('the valid fields decode, run lengths expanded', () => {
    const token = decodeToken(forge({}), places);
    expect(token.schedule).toEqual([0, 0, 0, 1, 0, 0]);
    expect([...token.hashes]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(token.files).toEqual({ scenario: realpathSync(path.join(repoRoot, 'scenarios/known-bugs/racy-rmw.ts')), allocator: { builtin: 'byte-cas/racy-rmw' } });
    expect(token.points).toBeUndefined();
    expect(decodeToken(forge({ points: 'all' }), places).points).toBe('all');
  });

  it('any token encodeToken makes within the limits decodes to what was encoded', () => {
    const valid = fc
      .record({
        threads: fc.integer({ min: 1, max: MAX_EXPLORE_THREADS }),
        ops: fc.integer({ min: 1, max: MAX_EXPLORE_OPS }),
        pages: fc.integer({ min: 8, max: MAX_EXPLORE_PAGES }),
        maxHeldPages: fc.integer({ min: 1, max: MAX_EXPLORE_PAGES }),
        seed: fc.string({ minLength: 1, maxLength: 64, unit: 'binary' }),
        lock: fc.boolean(),
        runs: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 300 })), { maxLength: 50 }),
        kind: fc.constantFrom(...violationKinds),
        allocator: fc.constantFrom('byte-cas', 'stack-bitmap/double-push', `results/hostile-tokens-${process.pid}/mine.ts`),
      })
      .map(({ runs, ...rest }) => {
        const schedule = runs.flatMap(([thread, count]) => new Array<number>(count).fill(thread % rest.threads));
        return { ...rest, scenario: 'scenarios/smoke.ts', strategy: 'pct d=3 #7', schedule, hashes: Uint8Array.from(schedule, (_, i) => (i * 37) & 0xff), digest: 'fedcba9876543210', settings: 'abcdefabcdef' };
      });
    fc.assert(
      fc.property(valid, (fields) => {
        const { files, v, ...decoded } = decodeToken(encodeToken(fields), places);
        expect(v).toBe(1);
        expect(decoded).toEqual(fields);
        expect(files.allocator).toEqual(fields.allocator.endsWith('.ts') ? { module: realpathSync(path.join(repoRoot, fields.allocator)) } : { builtin: fields.allocator });
      }),
      { numRuns: 100 },
    );
  });

  it('a module in the current folder, outside the project, may be named', () => {
    const mine = path.join(outside, 'mine.ts');
    writeFileSync(mine, 'export default {};\n');
    const token = decodeToken(forge({ allocator: mine }), { projectRoot: repoRoot, currentFolder: outside });
    expect(token.files.allocator).toEqual({ module: realpathSync(mine) });
    // The same token from the project root names a file outside both: refused.
    expect(refused(forge({ allocator: mine }), 'current-folder module from elsewhere')).toMatch(/outside the project/);
  });
});

describe('damaged in transit', () => {
  const token = forge({});
  const alphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= \n\u0000\u00e9\u{1f600}');

  it('a character changed, removed or added anywhere is refused', () => {
    const edit = fc.record({ at: fc.nat({ max: token.length }), char: alphabet, how: fc.constantFrom('replace', 'remove', 'insert') });
    fc.assert(
      fc.property(
        edit.map(({ at, char, how }) => token.slice(0, at) + (how === 'remove' ? '' : char) + token.slice(how === 'insert' ? at : at + 1)).filter((damaged) => damaged.trim() !== token),
        (damaged) => void refused(damaged, 'one character damaged'),
      ),
      { numRuns: 300 },
    );
  });

  it('cut short at either end is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: token.length - 1 }), fc.boolean(), (cut, fromEnd) => void refused(fromEnd ? token.slice(0, cut) : token.slice(cut), 'cut short')),
      { numRuns: 200 },
    );
  });

  it('the deflated data damaged and sealed again is refused, or decodes to a token within every limit', () => {
    const deflated = deflateRawSync(JSON.stringify(validFields));
    const damage = fc.oneof(
      fc.array(fc.nat({ max: deflated.length * 8 - 1 }), { minLength: 1, maxLength: 8 }).map((bits) => {
        const bytes = Buffer.from(deflated);
        for (const bit of bits) bytes[bit >> 3]! ^= 1 << (bit & 7);
        return bytes;
      }),
      fc.nat({ max: deflated.length - 1 }).map((cut) => deflated.subarray(0, cut)),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => Buffer.concat([deflated, junk])),
      fc.uint8Array({ minLength: 0, maxLength: 512 }),
    );
    let decoded = 0;
    fc.assert(
      fc.property(damage, (bytes) => {
        const sealed = sealBody(bytes);
        let result;
        try {
          result = decodeToken(sealed, places);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          refused(sealed, 'deflated data damaged');
          return;
        }
        // A flipped bit in a literal can still spell a valid field (seed "racy-rmw-1" as "racy-rmw-3"): then
        // it must be within every limit, like any token.
        decoded++;
        expect(result.threads).toBeGreaterThanOrEqual(1);
        expect(result.threads).toBeLessThanOrEqual(MAX_EXPLORE_THREADS);
        expect(result.schedule.every((t) => t < result.threads)).toBe(true);
        expect(result.hashes.length).toBe(result.schedule.length);
      }),
      { numRuns: 300 },
    );
    // Most damage is refused; the rest only changed what a field says, not whether it is valid.
    expect(decoded).toBeLessThan(150);
  });
});

// Values no field may take, by kind. JSON has no NaN or Infinity: they arrive as null, refused too.
const notNumber = fc.oneof(fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.constant([1]), fc.constant({}), fc.double({ noInteger: true }));
const integerOutside = (min: number, max: number) =>
  fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), fc.constantFrom(1e12, -8, 2 ** 53, 1e300, min - 1, max + 1), notNumber);
const notText = (max: number) => fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 3 * max }).map((n) => 'a'.repeat(max + n)), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(['a']));
const garbage = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `${s}!`);
const wrongHex = (digits: number) => fc.oneof(garbage, fc.constantFrom('', 'ABCDEF0123', '0'.repeat(digits + 1), 'g'.repeat(digits)), fc.integer());

const badField: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.oneof(fc.integer().filter((n) => n !== 1), notNumber).map((v) => ({ v })),
  integerOutside(1, MAX_EXPLORE_THREADS).map((threads) => ({ threads })),
  integerOutside(1, MAX_EXPLORE_OPS).map((ops) => ({ ops })),
  integerOutside(8, MAX_EXPLORE_PAGES).map((pages) => ({ pages })),
  integerOutside(1, MAX_EXPLORE_PAGES).map((maxHeldPages) => ({ maxHeldPages })),
  notText(4096).map((scenario) => ({ scenario })),
  notText(4096).map((allocator) => ({ allocator })),
  notText(4096).map((seed) => ({ seed })),
  notText(256).map((strategy) => ({ strategy })),
  fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)).map((lock) => ({ lock })),
  fc.oneof(
    fc.bigInt({ min: BigInt(MAX_STEP_BUDGET) + 1n, max: 10n ** 30n }).map((n) => `0x${n}`), // a huge count
    fc.integer({ min: 2, max: 99 }).map((t) => `0x5,${t}`), // a thread the token does not have
    fc.constantFrom('0x3,1,0x', '0x3,,1,0x2', '00x3,1,0x2', '0x03,1,0x2', '0x0,0x3,1,0x2', '-1', '0x3,1,0x2,', ' 0x3,1,0x2', '0X3,1,0x2'),
    fc.integer({ min: 1, max: 50 }).filter((n) => n !== 6).map((n) => `0x${n}`), // not the 6 steps hashed
    garbage,
    notNumber,
  ).map((schedule) => ({ schedule })),
  fc.oneof(
    garbage,
    fc.uint8Array({ maxLength: 20 }).filter((b) => b.length !== 6).map((b) => Buffer.from(b).toString('base64')),
    fc.constantFrom('AQIDBAUG=', 'AQIDBAU', 'AQID BAUG', 'AQIDBAUG\n', '_-_-_-_-'),
    notNumber,
  ).map((hashes) => ({ hashes })),
  wrongHex(16).map((digest) => ({ digest })),
  wrongHex(12).map((settings) => ({ settings })),
  fc.oneof(fc.string({ maxLength: 30 }).filter((k) => !(violationKinds as readonly string[]).includes(k)), notNumber).map((kind) => ({ kind })),
  fc.oneof(fc.string({ maxLength: 10 }).filter((p) => p !== 'atomics' && p !== 'all'), fc.constant(null), fc.integer()).map((points) => ({ points })),
  // Unknown keys, with any flat value; __proto__ and constructor included.
  fc.tuple(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.constantFrom('__proto__', 'constructor', 'V', 'Threads')), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null)))
    .filter(([key]) => !(key in validFields) && key !== 'points')
    .map(([key, value]) => Object.fromEntries([[key, value]])),
  // A required key left out.
  fc.constantFrom(...Object.keys(validFields).filter((k) => k !== 'lock')).map((key) => ({ [key]: undefined })),
);

describe('forged with a valid checksum: bad fields', () => {
  it('every field with a value it may not take, an unknown key or a missing one, is refused', () => {
    fc.assert(fc.property(badField, (changes) => void refused(forge(changes), `field ${Object.keys(changes)[0]}`)), { numRuns: 1000 });
  });

  it('the cases the issue names are refused with the field and the limit', () => {
    expect(refused(forge({ schedule: '0x1000000000', hashes: '' }))).toBe(`replay token is invalid: schedule: more than ${MAX_STEP_BUDGET.toLocaleString('en-US')} steps, the most explore runs`);
    expect(refused(forge({ threads: 100 }))).toBe('replay token is invalid: threads: expected an integer from 1 to 64, got 100');
    expect(refused(forge({ threads: 0 }))).toBe('replay token is invalid: threads: expected an integer from 1 to 64, got 0');
    expect(refused(forge({ pages: -8 }))).toMatch(/^replay token is invalid: pages: expected an integer from 8 to 1,048,576, got -8$/);
    expect(refused(forge({ pages: 1e12 }))).toMatch(/^replay token is invalid: pages: expected an integer from 8 to 1,048,576, got 1000000000000$/);
  });

  it('values shown in a message are inert and short: no newline, no escape sequence, no flood', () => {
    const message = refused(forge({ kind: `leak\n\u001b[2J\u202e${'x'.repeat(100_000)}` }));
    expect(message).toMatch(/^replay token is invalid: kind: expected a violation kind \(.*\), got "leak\\u000a\\u001b\[2J\\u202ex+\.\.\." \(100,010 characters\)$/);
    expect(refused(forge({ ['\u001b[31mevil\nkey']: 1 }))).toMatch(/^replay token is invalid: unknown key "\\u001b\[31mevil\\u000akey"/);
  });

  it('the largest inputs: a maximal schedule with a wrong field, a schedule past the cap, a deflate bomb, a token over the length cap', () => {
    const alternating = (steps: number) => Array.from({ length: steps }, (_, i) => i % 2).join(',');
    const hashes = (steps: number) => Buffer.alloc(steps, 7).toString('base64');
    // Decodes in full (4,000,000 steps), then is refused for its allocator: the most work a refusal takes.
    expect(refused(forge({ schedule: alternating(MAX_STEP_BUDGET), hashes: hashes(MAX_STEP_BUDGET), allocator: evil }), 'maximal schedule, outside allocator')).toMatch(/outside the project/);
    expect(refused(forge({ schedule: alternating(MAX_STEP_BUDGET + 1), hashes: hashes(MAX_STEP_BUDGET + 1) }), 'one step past the cap')).toMatch(/schedule: expected a schedule of at most 4,000,000 steps/);
    expect(refused(forge({ schedule: new Array(10_000).fill('0x999999').join(','), hashes: hashes(MAX_STEP_BUDGET) }), 'many huge runs')).toMatch(/more than 4,000,000 steps/);
    expect(refused(seal(Buffer.alloc(100_000_000, 0x20)), 'deflate bomb')).toMatch(/inflates to more than [\d,]+ bytes/);
    expect(refused(`pagerace1.${'A'.repeat(MAX_TOKEN_CHARS)}.00000000`, 'over the length cap')).toMatch(/^not a replay token: [\d,]+ characters, and a token is at most 8,388,608$/);
  });
});

describe('forged with a valid checksum: data that is not a token', () => {
  it('deep JSON, many fields, non-UTF-8, non-JSON and other JSON values are refused before they are parsed or used', () => {
    const raw = fc.oneof(
      fc.tuple(fc.integer({ min: 2, max: 200_000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'])).map(([depth, [open, close]]) => open!.repeat(depth) + close!.repeat(depth)),
      fc.integer({ min: 2, max: 50_000 }).map((depth) => JSON.stringify(validFields).replace('"seed":"racy-rmw-1"', `"seed":${'['.repeat(depth)}${']'.repeat(depth)}`)),
      fc.integer({ min: 32, max: 5000 }).map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))),
      fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe, 0xff]).map((bad) => {
        const [before, after] = JSON.stringify(validFields).split('racy-rmw-1') as [string, string];
        return Buffer.concat([Buffer.from(`${before}racy`), Buffer.from(bad), Buffer.from(`-rmw-1${after}`)]);
      }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    );
    fc.assert(fc.property(raw, (data) => void refused(seal(data), 'raw data')), { numRuns: 300 });
    expect(refused(seal('['.repeat(13_000_000)), 'deep JSON at the inflate cap')).toMatch(/nested values/);
  });
});

describe('valid tokens that name files outside the project', () => {
  it('an allocator or scenario outside, through .., through a symlink, or not a module file, is refused and never loaded', () => {
    const rel = path.relative('/', evil);
    const names = fc.oneof(
      fc.constantFrom(evil, `/tmp/../${rel}`, path.join(inside, 'link.mjs'), `results/hostile-tokens-${process.pid}/link.mjs`, `results/hostile-tokens-${process.pid}/folder-link/evil.mjs`, '/etc/passwd', 'scenarios/smoke.json', 'scenarios/\u0000.ts', 'node:fs', `file://${evil}`, 'data:text/javascript,export default 1', 'https://example.com/a.mjs', 'scenarios', 'src/alloc/byte-cas.test.ts', 'src/index.d.ts', 'src/cli/start.ts', 'workers/controlled.mjs', 'node_modules/tsx/dist/cli.mjs'),
      fc.integer({ min: 1, max: 12 }).map((ups) => `${'../'.repeat(ups)}${rel}`),
      fc.integer({ min: 1, max: 12 }).map((ups) => `scenarios/${'../'.repeat(ups)}${rel}`),
    );
    fc.assert(
      fc.property(names, fc.constantFrom('scenario', 'allocator'), (name, field) => {
        expect(refused(forge({ [field]: name }), `${field} outside`)).toMatch(new RegExp(`^replay token names the ${field} `));
      }),
      { numRuns: 300 },
    );
    expect(existsSync(marker)).toBe(false);
    // Inside the project, but a command's entry point: importing it would run `npm start`.
    expect(refused(forge({ scenario: 'src/cli/start.ts' }))).toMatch(/which runs something when imported/);
  });
});

describe('the real CLI under a 256 MB heap: exit 2, one line, nothing run', () => {
  const worst: [what: string, args: () => string[], message: RegExp][] = [
    ['the issue\'s forged "0x1000000000"', () => [forge({ schedule: '0x1000000000', hashes: '' })], /schedule: more than 4,000,000 steps/],
    ['10,000 runs of 999,999 steps each (the old expansion took gigabytes for such a token)', () => [forge({ schedule: new Array(10_000).fill('0x999999').join(','), hashes: Buffer.alloc(MAX_STEP_BUDGET, 7).toString('base64') })], /schedule: more than 4,000,000 steps/],
    ['threads: 100', () => [forge({ threads: 100 })], /threads: expected an integer from 1 to 64, got 100$/],
    ['threads: 0', () => [forge({ threads: 0 })], /threads: expected an integer from 1 to 64, got 0$/],
    ['pages: -8', () => [forge({ pages: -8 })], /pages: expected an integer from 8 to 1,048,576, got -8$/],
    ['pages: 1e12', () => [forge({ pages: 1e12 })], /pages: expected an integer from 8 to 1,048,576, got 1000000000000$/],
    ['a maximal schedule naming an allocator outside', () => [forge({ schedule: Array.from({ length: MAX_STEP_BUDGET }, (_, i) => i % 2).join(','), hashes: Buffer.alloc(MAX_STEP_BUDGET, 7).toString('base64'), allocator: evil })], /allocator ".*evil\.mjs", which is outside the project/],
    ['deep JSON', () => [seal('['.repeat(13_000_000))], /nested values/],
    ['/tmp/…/evil.mjs as the allocator', () => [forge({ allocator: evil })], /outside the project/],
    ['/tmp/…/evil.mjs as the scenario', () => [forge({ scenario: evil })], /outside the project/],
    ['a symlink inside the project to evil.mjs', () => [forge({ allocator: `results/hostile-tokens-${process.pid}/link.mjs` })], /it resolves to ".*evil\.mjs"/],
    ['../ out of the project', () => [forge({ scenario: `../../../../../../../..${evil}` })], /outside the project/],
  ];
  it.each(worst)('%s', async (_what, args, message) => {
    const result = await replayChild(args());
    expectOneLineRefusal(result, message);
    slowestCliMs = Math.max(slowestCliMs, result.ms);
    expect(result.ms).toBeLessThan(CLI_BOUND_MS);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('a deflate bomb in a file, on stdin, and a file or stdin past the input cap', async () => {
    const dir = testDir('tokens-files');
    // 100 MB of spaces deflate to a 130 KB token, near the most one command-line argument may hold.
    const bomb = `${seal(Buffer.alloc(100_000_000, 0x20))}\n`;
    const bombFile = path.join(dir, 'bomb.token');
    writeFileSync(bombFile, bomb);
    expectOneLineRefusal(await replayChild([bombFile]), /inflates to more than/);
    expectOneLineRefusal(await replayChild(['-'], { stdin: bomb }), /inflates to more than/);
    const huge = path.join(dir, 'huge.token');
    writeFileSync(huge, Buffer.alloc(20_000_000, 0x41));
    expectOneLineRefusal(await replayChild(['--file', huge]), /holds more than [\d,]+ bytes, and a replay token is at most 8,388,608 characters/);
    expectOneLineRefusal(await replayChild(['-'], { stdin: Buffer.alloc(20_000_000, 0x41) }), /^replay: stdin holds more than/);
    expect(existsSync(marker)).toBe(false);
  }, 180_000);

  // Last, since it leaves the mark: the absence of the mark above means something only if loading evil.mjs makes it.
  it('the control: the same token typed in the folder that holds evil.mjs loads it, and the mark appears', async () => {
    const result = await replayChild([forge({ scenario: evil })], { cwd: outside });
    expect(result.stdout).toMatch(/^replay loads scenario evil\.mjs and built-in allocator byte-cas\/racy-rmw$/m);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  }, 120_000);
});
