/**
 * The source transform of the coroutine engine: every function of the code under test that makes a
 * call becomes a generator, with a plain function in front of it (runtime.ts), and every call in a
 * generator's body delegates to the callee's generator twin when it has one, so that a scheduling point
 * anywhere down a call chain suspends the logical thread whole. The logical threads then run as
 * coroutines on one worker thread: a switch is a generator resume, not a futex wake.
 *
 *   function f(a) { B }   -> function f(...x) { return D(f$, this, x, new.target); } function* f$(a) { B' }
 *                            (and L(f, f$) at the top of the scope, where both are already hoisted)
 *   function (a) { B }    -> (W(function* (a) { B' }))
 *   (a) => E              -> (F(function* (a) { return E' }, this))
 *   class { m(a) { B } }  -> class { m(...x) { return R(this[K[i]](...x)); } *[K[i]](a) { B' } static { M(this.prototype, "m", K[i]) } }
 *   { m(a) { B } }        -> { m: (W(function* (a) { B' }, "m")) }
 *   class { get x() { B } } -> class { get x() { return R(this[K[i]]()); } *[K[i]]() { B' } static { N(this.prototype, "x", "get", K[i]) } }
 *
 * and, in a generator body B', a call `o.p(args)` becomes
 *
 *   (o1 = o, f1 = o1.p, a1 = [args], (g1 = T(f1)) ? yield* g1.apply(o1, a1) : A(f1, o1, a1, "o.p"))
 *
 * which evaluates the callee, its object and the arguments once each and in the language's order, and
 * calls the plain function as before when there is no twin (a native function, a function nobody
 * rewrote). Each call site has its own temporaries, so nested calls cannot overwrite an outer one's.
 * A read `o.x` or a write `o.x = v` of a name that a class in the module has a getter or setter for
 * goes through the accessor's twin when the object's accessor has one (G and S look it up), as
 * @thi.ng/malloc keeps its pool's state behind accessors.
 *
 * Left plain (a point in them waits on the thread's stack: see driver.ts): async functions and
 * generators of the code's own, constructors, object-literal accessors, private and computed-key
 * methods, arrows that use `arguments`, `super` or `new.target`, object methods that use `super`, sloppy
 * code that names `yield`, and functions that make no call. Calls left as they are: optional calls,
 * `super(...)`, direct `eval`, tags, `new`, calls in parameter defaults and in class field initializers.
 * No newline is added or removed, so lines stay, and the source map is composed with the input's
 * (transform.ts). The output is parsed again before it is used: a rewrite that does not parse throws,
 * and the loader leaves the module as it was.
 */
import type { Node, Program } from 'acorn';
import { ancestor, base, full } from 'acorn-walk';
import MagicString from 'magic-string';
import { countNewlines, inChain, isPlainRead, parseSource, unparen, withSourceMap } from '../transform.ts';
import { RUNTIME_KEY } from './runtime.ts';

type AnyNode = Node & Record<string, any>;

export interface CoroutineTransformResult {
  code: string;
  /** Functions given a generator twin. */
  functions: number;
  /** Call sites that delegate to a twin. */
  calls: number;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** How a function is rewritten, by where it stands. */
type Shape = 'declaration' | 'expression' | 'arrow' | 'class-method' | 'class-accessor' | 'object-method';

interface Fn {
  node: AnyNode;
  shape: Shape;
  /** For methods: the MethodDefinition or Property. */
  holder?: AnyNode;
  /** For a declaration: the body its link goes at the top of. */
  scope?: AnyNode;
  /** For a class's method or accessor: the class body its links go at the end of. */
  classBody?: AnyNode;
  calls: AnyNode[];
}

/**
 * Rewrites `code`; returns it unchanged (functions 0) when nothing in it makes a call.
 * @throws SyntaxError (acorn's) when the code does not parse.
 */
export function transformCoroutines(code: string, options: { file: string; sourceType: 'module' | 'script' }): CoroutineTransformResult {
  const program = parseSource(code, options.sourceType) as Program & AnyNode;
  let prefix = '__pgco$';
  for (let n = 1; code.includes(prefix); n++) prefix = `__pgco${n}$`;
  const rt = (letter: string) => prefix + letter;

  // First pass: every function that could be a generator, and the calls whose body is theirs.
  const fns = new Map<AnyNode, Fn>();
  const calls: { call: AnyNode; fn: AnyNode }[] = [];
  // Reads `o.name` and writes `o.name = v` of a name some class here has a getter or setter for: in a
  // generator body they go through the accessor's twin when the object's accessor has one.
  const getters = new Set<string>();
  const setters = new Set<string>();
  const reads: { node: AnyNode; fn: AnyNode }[] = [];
  const writes: { node: AnyNode; fn: AnyNode }[] = [];
  ancestor(program, {
    Function(node: AnyNode, _s: unknown, ancestors: Node[]) {
      const shape = shapeOf(node, ancestors);
      if (shape) fns.set(node, { node, ...shape, calls: [] });
    },
    CallExpression(node: AnyNode, _s: unknown, ancestors: Node[]) {
      if (!isRewritableCall(node, ancestors)) return;
      const fn = enclosingBody(ancestors);
      if (fn) calls.push({ call: node, fn });
    },
    MethodDefinition(node: AnyNode) {
      if ((node.kind === 'get' || node.kind === 'set') && !node.computed && node.key.type === 'Identifier') (node.kind === 'get' ? getters : setters).add(node.key.name);
    },
    MemberExpression(node: AnyNode, _s: unknown, ancestors: Node[]) {
      if (node.computed || node.optional || node.object.type === 'Super' || node.property.type !== 'Identifier' || !isPlainRead(ancestors)) return;
      const fn = enclosingBody(ancestors);
      if (fn) reads.push({ node, fn });
    },
    AssignmentExpression(node: AnyNode, _s: unknown, ancestors: Node[]) {
      const left = node.left as AnyNode;
      if (node.operator !== '=' || left.type !== 'MemberExpression' || left.computed || left.optional || left.object.type === 'Super' || left.property.type !== 'Identifier') return;
      if (inChain(ancestors, ancestors.length - 1)) return;
      const fn = enclosingBody(ancestors);
      if (fn) writes.push({ node, fn });
    },
  });
  const accessorReads = reads.filter(({ node }) => getters.has(node.property.name));
  const accessorWrites = writes.filter(({ node }) => setters.has(node.left.property.name));
  for (const { call, fn } of calls) fns.get(fn)?.calls.push(call);
  for (const { node, fn } of [...accessorReads, ...accessorWrites]) fns.get(fn)?.calls.push(node);
  for (const [node, fn] of fns) if (fn.calls.length === 0) fns.delete(node);
  if (fns.size === 0) return { code, functions: 0, calls: 0 };

  const s = new MagicString(code);
  /** Replaces code[start, end) with `text`, keeping its newlines and what other rewrites put at its ends. */
  const replace = (start: number, end: number, text: string) => {
    if (start === end) s.appendLeft(start, text);
    else s.overwrite(start, end, text + '\n'.repeat(countNewlines(code, start, end)), { contentOnly: true });
  };
  // Openings go on the right of a position and closings on its left, so that a node ending where
  // another starts closes first; inner nodes are done before outer ones (the rewrites are sorted by
  // length below), so an outer opening at the same position goes before an inner one, an outer closing after.
  const open = (at: number, text: string) => s.prependRight(at, text);
  const close = (at: number, text: string) => s.appendLeft(at, text);
  // Statements put at the top of a body (temporaries, links) go on the left of its first position,
  // before any rewrite that opens there, whatever order the rewrites are made in; the module's runtime
  // binding goes before them all.
  const first = (at: number, text: string) => s.appendLeft(at, text);

  let callSites = 0;
  /** Temporaries of each generator body, declared at its top. */
  const temps = new Map<AnyNode, string[]>();
  // Every rewrite, inner ones before outer ones (by length): an outer opening at the same position then
  // goes before an inner one, an outer closing after.
  const units: { start: number; end: number; apply: () => void }[] = [];
  /** A call site or accessor access of `fn`'s body: rewritten with temporaries of its own, declared at the body's top. */
  const site = (node: AnyNode, fn: AnyNode, letters: string[], rewrite: (temporaries: string[]) => void) => {
    if (!fns.has(fn)) return;
    units.push({
      start: node.start,
      end: node.end,
      apply: () => {
        const n = ++callSites;
        const named = letters.map((c) => `${prefix}${c}${n}`);
        (temps.get(fn) ?? temps.set(fn, []).get(fn)!).push(...named);
        rewrite(named);
      },
    });
  };
  for (const { call, fn } of calls) {
    site(call, fn, ['o', 'f', 'a', 'g'], ([o, f, a, g]) => {
      const callee = unparen(call.callee);
      const text = JSON.stringify(code.slice(call.callee.start, Math.min(call.callee.end, call.callee.start + 60)));
      const paren = openParen(code, call.callee.end);
      const member = callee.type === 'MemberExpression' && !callee.optional ? callee : undefined;
      let self: string;
      if (member && member.object.type === 'Super') {
        // super.m(args): the object is this; the callee is read as written.
        open(call.start, `(${o} = this, ${f} = `);
        self = o!;
      } else if (member) {
        // o.p(args), and (o.p)(args), whose this is o as well: the opening parenthesis first, then o1's assignment.
        open(member.object.start, `${o} = `);
        open(call.start, '(');
        const dot = member.computed ? code.lastIndexOf('[', member.property.start) : code.lastIndexOf('.', member.property.start);
        replace(member.object.end, dot + 1, `, ${f} = ${o}${member.computed ? '[' : '.'}`);
        self = o!;
      } else {
        open(call.start, `(${f} = `);
        self = 'undefined';
      }
      replace(call.callee.end, paren + 1, `, ${a} = [`);
      replace(call.end - 1, call.end, `], (${g} = ${rt('T')}(${f})) ? yield* ${g}.apply(${self}, ${a}) : ${rt('A')}(${f}, ${self}, ${a}, ${text}))`);
    });
  }
  for (const { node, fn } of accessorReads) {
    site(node, fn, ['o', 'g'], ([o, g]) => {
      const name = node.property.name as string;
      // o.x -> (o1 = o, (g1 = G(o1, "x")) ? yield* g1.call(o1) : o1.x)
      open(node.start, `(${o} = `);
      replace(node.object.end, node.property.start, `, (${g} = ${rt('G')}(${o}, ${JSON.stringify(name)})) ? yield* ${g}.call(${o}) : ${o}.`);
      close(node.end, ')');
    });
  }
  for (const { node, fn } of accessorWrites) {
    site(node, fn, ['o', 'v', 'g'], ([o, v, g]) => {
      const name = node.left.property.name as string;
      // o.x = v -> (o1 = o, v1 = v, (g1 = S(o1, "x")) ? (yield* g1.call(o1, v1), v1) : (o1.x = v1))
      open(node.start, `(${o} = `);
      replace(node.left.object.end, node.right.start, `, ${v} = `);
      close(node.end, `, (${g} = ${rt('S')}(${o}, ${JSON.stringify(name)})) ? (yield* ${g}.call(${o}, ${v}), ${v}) : (${o}.${name} = ${v}))`);
    });
  }

  let keyCount = 0;
  const statics = new Map<AnyNode, string[]>();
  for (const fn of fns.values()) {
    units.push({
      start: fn.node.start,
      end: fn.node.end,
      apply: () => {
        const { node } = fn;
        const body = node.body as AnyNode;
        const declared = temps.get(node) ?? [];
        // A `;` first: after a directive written without one, the declaration would run into it.
        const decl = declared.length > 0 ? `;let ${declared.join(', ')};` : '';
        if (body.type === 'BlockStatement') first(bodyStart(body), decl);
        const star = (at: number) => close(at + 'function'.length, '*');
        switch (fn.shape) {
          case 'declaration': {
            const name = node.id.name as string;
            const twin = `${name}${prefix}`;
            open(node.start, `function ${name}(...${prefix}x) { return ${rt('D')}(${twin}, this, ${prefix}x, new.target); } `);
            star(node.start);
            replace(node.id.start, node.id.end, twin);
            first(bodyStart(fn.scope!), `;${rt('L')}(${name}, ${twin});`);
            break;
          }
          case 'expression':
            open(node.start, `(${rt('W')}(`);
            star(node.start);
            close(node.end, '))');
            break;
          case 'arrow': {
            const arrowAt = code.indexOf('=>', node.params.length > 0 ? node.params[node.params.length - 1].end : node.start);
            // A lone parameter without parentheses (`x => ...`) starts where the arrow does.
            const bare = node.params.length === 1 && code[node.start] !== '(';
            open(node.start, `(${rt('F')}(function* ${bare ? '(' : ''}`);
            if (bare) close(node.params[0].end, ')');
            replace(arrowAt, arrowAt + 2, '');
            if (body.type === 'BlockStatement') close(node.end, ', this))');
            else {
              open(body.start, `{${decl}return `);
              close(node.end, '}, this))');
            }
            break;
          }
          case 'class-method': {
            const holder = fn.holder!;
            const key = `${rt('K')}[${keyCount++}]`;
            const isStatic = holder.static ? 'static ' : '';
            const name = holder.key.type === 'Identifier' ? holder.key.name : holder.key.value;
            open(holder.start, `${isStatic}${code.slice(holder.key.start, holder.key.end)}(...${prefix}x) { return ${rt('R')}(this[${key}](...${prefix}x)); } `);
            replace(holder.key.start, holder.key.end, `*[${key}]`);
            const cls = fn.classBody!;
            const list = statics.get(cls) ?? [];
            statics.set(cls, list);
            list.push(`${rt('M')}(${holder.static ? 'this' : 'this.prototype'}, ${JSON.stringify(name)}, ${key});`);
            break;
          }
          case 'class-accessor': {
            // get x() { B } -> get x() { return R(this[K[i]]()); } *[K[i]]() { B' }; a setter likewise.
            const holder = fn.holder!;
            const key = `${rt('K')}[${keyCount++}]`;
            const isStatic = holder.static ? 'static ' : '';
            const name = holder.key.name as string;
            const getter = holder.kind === 'get';
            open(holder.start, `${isStatic}${holder.kind} ${name}(${getter ? '' : `${prefix}v`}) { ${getter ? 'return ' : ''}${rt('R')}(this[${key}](${getter ? '' : `${prefix}v`})); } `);
            // The keyword `get` or `set` and the name become the generator's key.
            const keyword = code.indexOf(holder.kind, holder.static ? code.indexOf('static', holder.start) + 6 : holder.start);
            replace(keyword, holder.key.end, `*[${key}]`);
            const cls = fn.classBody!;
            const list = statics.get(cls) ?? [];
            statics.set(cls, list);
            list.push(`${rt('N')}(${holder.static ? 'this' : 'this.prototype'}, ${JSON.stringify(name)}, ${JSON.stringify(holder.kind)}, ${key});`);
            break;
          }
          case 'object-method': {
            const holder = fn.holder!;
            const name = holder.key.type === 'Identifier' ? holder.key.name : holder.key.type === 'Literal' ? String(holder.key.value) : '';
            open(node.start, `: (${rt('W')}(function* `);
            close(node.end, `, ${JSON.stringify(name)}))`);
            break;
          }
        }
      },
    });
  }
  units.sort((a, b) => a.end - a.start - (b.end - b.start));
  for (const unit of units) unit.apply();
  for (const [cls, links] of statics) close(cls.end - 1, ` static { ${links.join(' ')} }`);

  // The runtime, bound once per module, after any directive prologue; the method keys with it.
  const directives = program.body.filter((n: AnyNode) => typeof n.directive === 'string');
  const at = directives.length > 0 ? directives[directives.length - 1]!.end : (program.body[0]?.start ?? 0);
  const names = ['T', 'A', 'W', 'F', 'D', 'L', 'M', 'N', 'G', 'S', 'R'].map((c) => `${c}: ${rt(c)}`).join(', ');
  const runtime = `const { ${names} } = globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})];${keyCount > 0 ? ` const ${rt('K')} = globalThis[Symbol.for(${JSON.stringify(RUNTIME_KEY)})].K(${keyCount});` : ''}`;
  // After a directive, a `;` first: one written without its own would run into the declaration.
  s.prependLeft(at, `${directives.length > 0 ? ' ;' : ''}${runtime}${directives.length > 0 ? '' : ' '}`);
  const out = withSourceMap(s, code, options.file);
  // What is rewritten must parse: a construct this transform got wrong leaves the module as it was
  // (its points then wait on the stack, which the engine can follow or hand to workers), never a
  // SyntaxError that would look like the subject's own failure.
  try {
    parseSource(out, options.sourceType);
  } catch (error) {
    throw new Error(`its rewrite does not parse: ${(error as Error).message}`);
  }
  return { code: out, functions: fns.size, calls: callSites };
}

/** How a function can be rewritten, or undefined when it stays plain. */
function shapeOf(node: AnyNode, ancestors: Node[]): Pick<Fn, 'shape' | 'holder' | 'scope' | 'classBody'> | undefined {
  // `yield` is a name in sloppy code and a keyword in a generator.
  if (node.async || node.generator || usesName(node, 'yield')) return undefined;
  const parent = ancestors[ancestors.length - 2] as AnyNode | undefined;
  if (parent?.type === 'MethodDefinition' && parent.value === node) {
    if (parent.kind === 'constructor' || parent.computed || parent.key.type === 'PrivateIdentifier') return undefined;
    const classBody = ancestors[ancestors.length - 3] as AnyNode;
    if (parent.kind === 'get' || parent.kind === 'set') return parent.key.type === 'Identifier' ? { shape: 'class-accessor', holder: parent, classBody } : undefined;
    return { shape: 'class-method', holder: parent, classBody };
  }
  if (parent?.type === 'Property' && parent.value === node && (parent.method || parent.kind !== 'init')) {
    if (!parent.method || parent.kind !== 'init' || parent.computed || uses(node, ['Super'])) return undefined;
    return { shape: 'object-method', holder: parent };
  }
  if (node.type === 'FunctionDeclaration') {
    if (!node.id || !parent) return undefined;
    // Only where a statement can go at the top of its scope for the link.
    const scope = parent.type === 'ExportNamedDeclaration' || parent.type === 'ExportDefaultDeclaration' ? (ancestors[ancestors.length - 3] as AnyNode) : parent;
    if (scope.type !== 'Program' && scope.type !== 'BlockStatement') return undefined;
    return { shape: 'declaration', scope };
  }
  if (node.type === 'ArrowFunctionExpression') {
    if (uses(node, ['Super', 'MetaProperty']) || usesName(node, 'arguments')) return undefined;
    return { shape: 'arrow' };
  }
  return { shape: 'expression' };
}

/** The function whose own body (not its parameters, not a nested function or class field) holds the last of `ancestors`. */
function enclosingBody(ancestors: Node[]): AnyNode | undefined {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i] as AnyNode;
    if (FUNCTIONS.has(a.type)) return ancestors[i + 1] === a.body ? a : undefined;
    if (a.type === 'PropertyDefinition' || a.type === 'StaticBlock' || a.type === 'ClassBody') return undefined;
  }
  return undefined;
}

function isRewritableCall(node: AnyNode, ancestors: Node[]): boolean {
  if (node.optional || inChain(ancestors, ancestors.length - 1)) return false;
  const callee = unparen(node.callee);
  if (callee.type === 'Super' || (node.callee.type === 'Identifier' && node.callee.name === 'eval')) return false;
  if (callee.type === 'MemberExpression' && callee.optional) return false;
  return true;
}

/** Walks a function's own code: arrows inside it share its `this`, `arguments` and `super`; other functions do not. */
const ownCode: typeof base = {
  ...base,
  Function: (node, st, c) => {
    if (node.type === 'ArrowFunctionExpression') base.Function!(node, st, c);
  },
};

/** Whether `fn`'s own code (its name, parameters and body, and arrows in them) has a node that passes `test`. */
function has(fn: AnyNode, test: (n: AnyNode) => boolean): boolean {
  let found = false;
  for (const part of [fn.id, ...fn.params, fn.body]) if (part) full(part, (n) => void (found ||= test(n as AnyNode)), ownCode);
  return found;
}

const uses = (fn: AnyNode, types: string[]) => has(fn, (n) => types.includes(n.type));
const usesName = (fn: AnyNode, name: string) => has(fn, (n) => n.type === 'Identifier' && n.name === name);

/** Where a statement can go first in a block or program: after its directive prologue ("use strict" must stay first). */
function bodyStart(scope: AnyNode): number {
  const directives = scope.body.filter((n: AnyNode) => typeof n.directive === 'string');
  if (directives.length > 0) return directives[directives.length - 1].end;
  return scope.type === 'BlockStatement' ? scope.start + 1 : (scope.body[0]?.start ?? 0);
}

/** The `(` that opens a call's arguments: the first one after the callee, past blanks and comments. */
function openParen(code: string, from: number): number {
  let i = from;
  for (;;) {
    const c = code[i];
    if (c === '(') return i;
    if (c === '/' && code[i + 1] === '/') i = code.indexOf('\n', i);
    else if (c === '/' && code[i + 1] === '*') i = code.indexOf('*/', i) + 2;
    else i++;
    if (i < 0 || i >= code.length) throw new Error('a call without arguments list');
  }
}
