/**
 * The source transform that makes plain typed-array reads and writes scheduling points (controlled mode,
 * `--points all`). Every computed member access in the code under test becomes a call into the
 * plain-access runtime (plain-access.ts), which does the access natively unless the object is a typed
 * array over the subject's buffer, and parks at a scheduling point first when it is:
 *
 *   a[i]            -> R(a, i)
 *   a[i] = v        -> W(a, i, v)
 *   a[i] += v       -> S(C(a, i) + (v))         C reads and remembers (a, i); S writes there
 *   a[i] ||= v      -> (G(a, i, 0) ? S(v) : O()) G reads, remembers, says whether to assign; O forgets
 *   a[i]++, --a[i]  -> U(a, i, 1, 0), U(a, i, -1, 1)
 *
 * Each rewrite evaluates the object, then the key, then the rest, once each and in the order the
 * language does (a compound assignment reads before it evaluates its right side), so the program order
 * of the accesses, which is what the scheduler interleaves, is the program's own.
 *
 * Left alone (no scheduling point, the access runs unseen as before): member calls `a[i](...)` (their
 * `this` must stay), `new a[i]`, tags, `delete`, optional chains `a?.[i]` (their short-circuit spans the
 * chain), `super[k]`, destructuring targets (`[a[i], a[j]] = ...`), `for (a[i] of ...)`, compound
 * assignments whose right side awaits or yields (the remembered place would cross a suspension), keys
 * that are non-numeric string literals (`a['length']`), literal objects and `arguments`.
 *
 * Only punctuation between subexpressions is rewritten, never a subexpression itself, so rewrites nest
 * (`a[b[j]] = c[k]` is `W(a, R(b, j), R(c, k))`), and no newline is added or removed, so line numbers
 * stay. The source map of the output is composed with the input's inline map (tsx's, for TypeScript),
 * so stack traces still point into the original file.
 */
import { type Node, type Program, parse } from 'acorn';
import { ancestor, base, simple } from 'acorn-walk';
import { decode, encode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import MagicString from 'magic-string';

/** Where the transformed code finds the runtime: a global, so ES modules and CommonJS alike reach it. */
export const RUNTIME_KEY = 'pagerace.plain-access';

/** The runtime's functions, by the one-letter names the rewrites use. */
export const runtimeNames = ['R', 'W', 'C', 'S', 'G', 'O', 'U'] as const;

/** Operator codes of the logical assignments, as G takes them. */
export const LogicalOp = { or: 0, and: 1, nullish: 2 } as const;
const logicalCodes: Record<string, number> = { '||=': LogicalOp.or, '&&=': LogicalOp.and, '??=': LogicalOp.nullish };

export interface TransformOptions {
  /** Shown in a parse error and recorded as the map's source when the input has no map. */
  file: string;
  sourceType: 'module' | 'script';
}

export interface TransformResult {
  code: string;
  /** Accesses rewritten into runtime calls. */
  points: number;
}

type AnyNode = Node & Record<string, any>;

const INLINE_MAP = /\n?\/\/[#@] sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * Rewrites `code`; returns it unchanged (points 0) when it has no computed member access to rewrite.
 * @throws SyntaxError (acorn's) when the code does not parse.
 */
export function transformPlainAccess(code: string, options: TransformOptions): TransformResult {
  const program = parseSource(code, options.sourceType) as Program & AnyNode;
  const s = new MagicString(code);
  // A prefix the code does not use, so no binding of its own can shadow the runtime's.
  let prefix = '__pagerace$';
  for (let n = 1; code.includes(prefix); n++) prefix = `__pagerace${n}$`;
  const name = (letter: (typeof runtimeNames)[number]) => prefix + letter;
  let points = 0;

  /** Replaces code[start, end) with `text`, keeping its newlines (so lines do not move) and whatever other rewrites put at its ends. */
  const replace = (start: number, end: number, text: string) => {
    if (start === end) s.prependLeft(start, text);
    else s.update(start, end, text + '\n'.repeat(countNewlines(code, start, end)));
  };

  ancestor(program, {
    MemberExpression(node: AnyNode, _state: unknown, ancestors: Node[]) {
      // An update or an assignment is rewritten whole, below (or left alone).
      if (!isRewritable(node) || !isPlainRead(ancestors)) return;
      // a[i] -> R(a, i)
      s.prependLeft(node.object.start, `${name('R')}(`);
      replace(node.object.end, node.property.start, ', ');
      replace(node.property.end, node.end, ')');
      points++;
    },
    UpdateExpression(node: AnyNode, _state: unknown, ancestors: Node[]) {
      const member = unparen(node.argument);
      if (member.type !== 'MemberExpression' || !isRewritable(member) || inChain(ancestors, ancestors.length - 1)) return;
      const delta = node.operator === '++' ? '1' : '-1';
      // ++a[i] -> U(a, i, 1, 1); a[i]-- -> U(a, i, -1, 0)
      replace(node.start, member.object.start, `${name('U')}(`);
      replace(member.object.end, member.property.start, ', ');
      replace(member.property.end, node.end, `, ${delta}, ${node.prefix ? 1 : 0})`);
      points++;
    },
    AssignmentExpression(node: AnyNode) {
      const member = unparen(node.left);
      if (member.type !== 'MemberExpression' || !isRewritable(member)) return;
      const op: string = node.operator;
      if (op === '=') {
        // a[i] = v -> W(a, i, v)
        replace(node.start, member.object.start, `${name('W')}(`);
        replace(member.object.end, member.property.start, ', ');
        replace(member.property.end, node.right.start, ', ');
        replace(node.right.end, node.end, ')');
      } else if (op in logicalCodes) {
        // a[i] ||= v -> (G(a, i, 0) ? S(v) : O())
        replace(node.start, member.object.start, `(${name('G')}(`);
        replace(member.object.end, member.property.start, ', ');
        replace(member.property.end, node.right.start, `, ${logicalCodes[op]}) ? ${name('S')}(`);
        replace(node.right.end, node.end, `) : ${name('O')}())`);
      } else {
        if (suspends(node.right)) return;
        // a[i] += v -> S(C(a, i) + (v))
        replace(node.start, member.object.start, `${name('S')}(${name('C')}(`);
        replace(member.object.end, member.property.start, ', ');
        replace(member.property.end, node.right.start, `) ${op.slice(0, -1)} (`);
        replace(node.right.end, node.end, '))');
      }
      points++;
    },
  });
  if (points === 0) return { code, points: 0 };

  // The runtime, bound once per module, after any directive prologue ("use strict" must stay first).
  const directives = program.body.filter((n: AnyNode) => typeof n.directive === 'string');
  const at = directives.length > 0 ? directives[directives.length - 1]!.end : (program.body[0]?.start ?? 0);
  const bindings = runtimeNames.map((letter) => `${letter}: ${name(letter)}`).join(', ');
  // Prepended: the rewrites of the first statement put their openings at the same place.
  // After a directive, a `;` first: one written without its own (`'use strict'` and a newline) would
  // otherwise run into the declaration on the same line.
  s.prependLeft(at, `${directives.length > 0 ? ' ;' : ''}const { ${bindings} } = globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})];${directives.length > 0 ? '' : ' '}`);

  return { code: withSourceMap(s, code, options.file), points };
}

/**
 * The rewritten code of `s` (made from `code`) with an inline source map, composed with `code`'s own
 * inline map if it has one (tsx's, for TypeScript), so that stack traces point into the original file.
 * Shared by every source transform of controlled mode.
 */
export function withSourceMap(s: MagicString, code: string, file: string): string {
  const inline = INLINE_MAP.exec(code);
  if (inline) s.remove(inline.index, code.length);
  const ours = s.generateDecodedMap({ hires: 'boundary', source: file, includeContent: false });
  const map = inline ? composeWithInput(ours.mappings, JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8'))) : { version: 3, sources: [file], names: [], mappings: encode(ours.mappings) };
  return `${s.toString()}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** Parses a module or script as the loader sees it, parentheses kept (a rewrite needs their positions). */
export function parseSource(code: string, sourceType: 'module' | 'script'): Program {
  return parse(code, {
    ecmaVersion: 'latest',
    sourceType,
    allowHashBang: true,
    allowReturnOutsideFunction: sourceType === 'script',
    allowAwaitOutsideFunction: sourceType === 'module',
    preserveParens: true,
  });
}

/** A computed access whose object can be a typed array and whose key can be an element index. */
function isRewritable(node: AnyNode): boolean {
  if (!node.computed || node.optional) return false;
  const object = unparen(node.object);
  if (object.type === 'Super' || object.type === 'ArrayExpression' || object.type === 'ObjectExpression' || object.type === 'TemplateLiteral' || object.type === 'Literal') return false;
  if (object.type === 'Identifier' && object.name === 'arguments') return false;
  const key = node.property as AnyNode;
  // A string key is an element index only in canonical numeric form ('3', not 'length' or '03').
  if (key.type === 'Literal' && typeof key.value === 'string' && String(Number(key.value)) !== key.value) return false;
  return true;
}

export function unparen(node: AnyNode): AnyNode {
  while (node.type === 'ParenthesizedExpression') node = node.expression;
  return node;
}

/**
 * Whether the member expression last in `ancestors` is read for its value: not called, constructed,
 * tagged, deleted, updated, assigned or destructured into, and not in the spine of an optional chain.
 */
export function isPlainRead(ancestors: Node[]): boolean {
  const parent = effectiveParent(ancestors, ancestors.length - 1);
  if (!parent) return true;
  const { node: p, child } = parent;
  const t = p.type;
  if ((t === 'CallExpression' || t === 'NewExpression') && p.callee === child) return false;
  if (t === 'TaggedTemplateExpression' && p.tag === child) return false;
  if (t === 'UnaryExpression' && p.operator === 'delete') return false;
  if (t === 'ChainExpression' || ((t === 'MemberExpression' || t === 'CallExpression') && inChain(ancestors, ancestors.length - 1))) return false;
  if (t === 'UpdateExpression') return false;
  if (t === 'AssignmentExpression' && p.left === child) return false;
  return !isPatternTarget(p, child);
}

/** The nearest ancestor that is not a parenthesis, with the child of it that holds `ancestors[i]`. */
function effectiveParent(ancestors: Node[], i: number): { node: AnyNode; child: AnyNode } | undefined {
  let child = ancestors[i] as AnyNode;
  for (let j = i - 1; j >= 0; j--) {
    const p = ancestors[j] as AnyNode;
    if (p.type !== 'ParenthesizedExpression') return { node: p, child };
    child = p;
  }
  return undefined;
}

/** Whether `ancestors[i]` sits in the spine of an optional chain (`a?.b[i]`), where a call could not short-circuit. */
export function inChain(ancestors: Node[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const p = ancestors[j] as AnyNode;
    const child = ancestors[j + 1] as AnyNode;
    if (p.type === 'ChainExpression') return true;
    if (!((p.type === 'MemberExpression' && p.object === child) || (p.type === 'CallExpression' && p.callee === child))) return false;
  }
  return false;
}

/** Positions where a member expression is written by destructuring or a for-in/of head. */
function isPatternTarget(p: AnyNode, child: AnyNode): boolean {
  switch (p.type) {
    case 'ArrayPattern':
      return true;
    case 'RestElement':
      return p.argument === child;
    case 'AssignmentPattern':
      return p.left === child;
    case 'ObjectPattern':
      // acorn-walk lists no Property between a pattern and its parts: a value is a target, a computed key is not.
      return p.properties.some((q: AnyNode) => q.value === child || q.argument === child);
    case 'ForInStatement':
    case 'ForOfStatement':
      return p.left === child;
    default:
      return false;
  }
}

/** Whether an expression awaits or yields outside any function nested in it. */
function suspends(node: Node): boolean {
  let found = false;
  simple(
    node,
    {
      AwaitExpression: () => void (found = true),
      YieldExpression: () => void (found = true),
    },
    { ...base, Function: () => {} },
  );
  return found;
}

export function countNewlines(code: string, start: number, end: number): number {
  let n = 0;
  for (let i = code.indexOf('\n', start); i >= 0 && i < end; i = code.indexOf('\n', i + 1)) n++;
  return n;
}

interface InputMap {
  sources: string[];
  sourcesContent?: (string | null)[];
  sourceRoot?: string;
  names?: string[];
  mappings: string;
}

/**
 * Our map points into the input; the input's map points into the original. Each of our segments is
 * sent on through the input's segment that covers its position (the last one at or before it on its
 * line), so the output maps straight to the original.
 */
function composeWithInput(ours: SourceMapMappings, input: InputMap): object {
  const theirs = decode(input.mappings);
  const composed: SourceMapMappings = ours.map((line) => {
    const out: SourceMapMappings[number] = [];
    for (const segment of line) {
      if (segment.length < 4) continue;
      const row = theirs[segment[2]!];
      if (!row || row.length === 0) continue;
      const col = segment[3]!;
      let lo = 0;
      let hi = row.length - 1;
      if (row[0]![0] > col) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (row[mid]![0] <= col) lo = mid;
        else hi = mid - 1;
      }
      const hit = row[lo]!;
      if (hit.length === 1) continue;
      out.push(hit.length === 5 ? [segment[0], hit[1]!, hit[2]!, hit[3]!, hit[4]!] : [segment[0], hit[1]!, hit[2]!, hit[3]!]);
    }
    return out;
  });
  return {
    version: 3,
    sources: input.sources,
    ...(input.sourcesContent ? { sourcesContent: input.sourcesContent } : {}),
    ...(input.sourceRoot ? { sourceRoot: input.sourceRoot } : {}),
    names: input.names ?? [],
    mappings: encode(composed),
  };
}
