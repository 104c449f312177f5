import { describe, expect, it } from 'vitest';
import { publishRuntime } from './plain-access.ts';
import { transformPlainAccess } from './transform.ts';

publishRuntime();

/** Runs `body` as a function body, as written and as rewritten, and returns both results as JSON. */
function both(body: string): { original: string; rewritten: string; points: number } {
  const wrapped = `return (function () { ${body} })();`;
  const { code, points } = transformPlainAccess(wrapped, { file: 'snippet.js', sourceType: 'script' });
  const run = (source: string) => JSON.stringify(new Function(source)());
  return { original: run(wrapped), rewritten: run(code), points };
}

const rewrite = (code: string) =>
  transformPlainAccess(code, { file: 'x.js', sourceType: 'module' })
    .code.replace(/\n\/\/# sourceMappingURL=.*\n$/, '')
    .replace(/const \{[^}]*\} = globalThis\[Symbol\.for\("pagerace\.plain-access"\)\]; ?/, '')
    .replaceAll('__pagerace$', '');

describe('the plain-access transform', () => {
  it('rewrites reads, writes, compound and logical assignments and updates into runtime calls', () => {
    expect(rewrite('x = a[i];')).toBe('x = R(a, i);');
    expect(rewrite('a[b[j]] = c[k];')).toBe('W(a, R(b, j), R(c, k));');
    expect(rewrite('a[i][j] = v;')).toBe('W(R(a, i), j, v);');
    expect(rewrite('a[i] += b[j] * 2;')).toBe('S(C(a, i) + (R(b, j) * 2));');
    expect(rewrite('a[i] ??= v;')).toBe('(G(a, i, 2) ? S(v) : O());');
    expect(rewrite('a[i]++; --a[j];')).toBe('U(a, i, 1, 0); U(a, j, -1, 1);');
  });

  it('leaves alone what a call cannot stand for: member calls, new, delete, optional chains, destructuring targets', () => {
    for (const code of ['o[m](1);', 'new a[i]();', 'delete a[i];', 'a?.[i];', 'a?.b[i];', 'for (a[i] of xs) {}', 'a["length"];', 'arguments[0];']) {
      expect(transformPlainAccess(code, { file: 'x.js', sourceType: 'script' }).points, code).toBe(0);
    }
    expect(rewrite('[a[i], a[j]] = [a[j], a[i]];')).toBe('[a[i], a[j]] = [R(a, j), R(a, i)];');
    expect(rewrite('({ p: a[i], [b[j]]: c } = o);')).toBe('({ p: a[i], [R(b, j)]: c } = o);');
    // A compound assignment whose right side awaits keeps its place across the suspension: left plain.
    expect(rewrite('async function f() { a[i] += await g(); }')).toBe('async function f() { a[i] += await g(); }');
  });

  it('keeps lines where they were and the "use strict" directive first', () => {
    const code = '"use strict";\nconst x = a\n[\ni\n];\nthrow new Error(x);\n';
    const out = transformPlainAccess(code, { file: 'x.js', sourceType: 'script' }).code;
    expect(out.startsWith('"use strict";')).toBe(true);
    expect(out.split('\n').indexOf('throw new Error(x);')).toBe(code.split('\n').indexOf('throw new Error(x);'));
  });

  it('keeps a directive written without its semicolon a directive, and the code parsing', () => {
    // As safer-buffer (a dependency of many packages) writes it: the binding must not run into it.
    const code = "'use strict'\nvar x = a[0]\nmodule.exports = x\n";
    const out = transformPlainAccess(code, { file: 'x.js', sourceType: 'script' }).code;
    expect(() => new Function('a', 'module', out)).not.toThrow();
    const m = { exports: 0 };
    new Function('a', 'module', out)([7], m);
    expect(m.exports).toBe(7);
  });

  it('computes what the original computes, with side effects in the same order', () => {
    const result = both(`
      const log = [];
      const k = (x) => (log.push(x), x);
      const a = [1, 2, 3, 4];
      const o = { x: 5, 3: 7 };
      a[k(0)] += k(10);
      a[k(1)] ||= k(20);
      a[k(2)] &&= k(0);
      o[k('y')] ??= k(9);
      o[k('x')] ??= k(99);
      const p = a[k(0)]++;
      const q = --a[k(1)];
      a[a[3] % 4] = o['3'];
      a[k(3)] = a[k(2)] = k(8);
      [a[0], a[1]] = [a[1], a[0]];
      const u = new Uint8Array(4);
      u[k(1)] = 300;
      u[1] += 1;
      u[2]--;
      return [a, o, p, q, Array.from(u), log];
    `);
    expect(result.points).toBeGreaterThan(15);
    expect(result.rewritten).toBe(result.original);
  });

  it('maps positions through the input map to the original file', () => {
    // An input with an inline map of its own (as tsx's output has): our map goes through it.
    const input = 'x = a[i];\n//# sourceMappingURL=data:application/json;base64,' + Buffer.from(JSON.stringify({ version: 3, sources: ['orig.ts'], names: [], mappings: 'AAAA,IAAI,MAAM' })).toString('base64');
    const out = transformPlainAccess(input, { file: 'x.js', sourceType: 'script' }).code;
    const map = JSON.parse(Buffer.from(/base64,([A-Za-z0-9+/=]+)\s*$/.exec(out)![1]!, 'base64').toString('utf8'));
    expect(map.sources).toEqual(['orig.ts']);
    expect(map.mappings.length).toBeGreaterThan(0);
  });
});
