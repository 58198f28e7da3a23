// compileCondition: a resolved condition tree in, one generated JavaScript predicate out.
//
// Semantics follow libsinsp:
// - a field that is not available (extractor gives undefined) makes every comparison false,
//   `!=` included; only `not` turns that into true, and `exists` tests for it;
// - fields with several values (proc.aname without index) match when any value does; real list
//   fields (fd.types) use `in` = all values in the set, `intersects` = at least one;
// - filter-only "either end" fields (fd.ip, fd.port, fd.net) become an `or` over both ends
//   (`and` for `!=`: neither end may equal the value).
// Each field is extracted at most once per evaluation: fields used more than once in a condition
// are memoised in a local, lazily, so short-circuiting still skips the ones never reached.

import type { EngineContext, SyscallEvent } from '../../engine/event.js';
import type { BoundField, Extractor, Multiplicity, SomeTester } from '../../engine/fields/index.js';
import type { Expr, FieldRef, Value } from '../ast.js';
import type { FieldType, SpanError } from '../types.js';
import { Code, CodeBuilder, FALSE, TRUE, generatedSource, js } from './codegen.js';
import { exprKey, fieldKey, fold } from './fold.js';
import { forEachLeaf } from '../resolvers/walk.js';
import { compileTest, type RhsItem } from './ops/index.js';
import { applyTransformers, transformedType } from './transformers.js';
import { compareFields } from './val.js';

export type Predicate = (evt: SyscallEvent, ctx: EngineContext) => boolean;

export type CompileResult = { ok: true; predicate: Predicate } | { ok: false; errors: SpanError[] };

/** What the compiler needs from the field registry. */
export interface FieldBinder {
  bind(name: string, arg: string | undefined): BoundField | string;
}

/** Shared across the rules of one ruleset: identical conditions and value lists compile once. */
export interface CompileCache {
  predicates: Map<string, CompileResult>;
  prepared: Map<string, unknown>;
}

export function createCompileCache(): CompileCache {
  return { predicates: new Map(), prepared: new Map() };
}

const defaultCaches = new WeakMap<FieldBinder, CompileCache>();
const MAX_DEFAULT_CACHE = 4096;

export function compileCondition(expr: Expr, fields: FieldBinder, cache?: CompileCache): CompileResult {
  let c = cache ?? defaultCaches.get(fields);
  if (!c) defaultCaches.set(fields, (c = createCompileCache()));
  const key = exprKey(expr);
  const hit = c.predicates.get(key);
  if (hit) return hit;
  const result = new Generator(fields, c.prepared).compile(fold(expr));
  // The default cache lives as long as the registry; bound it so repeated reloads cannot grow it.
  if (!cache && c.predicates.size >= MAX_DEFAULT_CACHE) {
    c.predicates.clear();
    c.prepared.clear();
  }
  c.predicates.set(key, result);
  return result;
}

/** The generated JavaScript of a compiled predicate, for reading and testing. */
export function predicateSource(p: Predicate): string | undefined {
  return generatedSource(p);
}

interface Slot {
  type: FieldType;
  multi: Multiplicity | undefined;
  available: boolean;
  alternatives: readonly string[] | undefined;
  extract: Extractor;
  /** Allocation-free any-value walk, for 'any' fields without transformers. */
  some: SomeTester | undefined;
  uses: number;
  v?: Code;
  x?: Code;
}

// Marks a memoised field not yet extracted in this evaluation (undefined means "not available").
const UNSET: unique symbol = Symbol('unset');

const some = (values: readonly unknown[], test: (v: unknown) => boolean): boolean => {
  for (let i = 0; i < values.length; i++) if (test(values[i])) return true;
  return false;
};
const every = (values: readonly unknown[], test: (v: unknown) => boolean): boolean => {
  for (let i = 0; i < values.length; i++) if (!test(values[i])) return false;
  return values.length > 0;
};

class Generator {
  private readonly b = new CodeBuilder();
  private readonly slots = new Map<string, Slot | SpanError>();
  private readonly hoisted: Code[] = [];
  private readonly errors: SpanError[] = [];

  constructor(
    private readonly fields: FieldBinder,
    private readonly prepared: Map<string, unknown>,
  ) {}

  compile(expr: Expr): CompileResult {
    this.count(expr);
    const body = this.expr(expr);
    if (this.errors.length) return { ok: false, errors: this.errors };
    for (const slot of this.slots.values()) {
      if (isError(slot) || !slot.v) continue;
      this.b.local(slot.v, slot.uses > 1 ? this.b.constant(UNSET) : undefined);
    }
    return { ok: true, predicate: this.b.build<Predicate>(body, this.hoisted) };
  }

  /** First pass: bind every field once and count its uses, to decide which ones to memoise. */
  private count(e: Expr): void {
    forEachLeaf(e, (l) => {
      if (l.kind !== 'compare' && l.kind !== 'unary') return;
      const slot = this.slot(l.field);
      const alts = isError(slot) ? undefined : slot.alternatives;
      for (const name of alts ?? []) this.use({ ...l.field, name });
      if (!alts) this.use(l.field);
      if (l.kind === 'compare' && l.value.kind === 'fieldval') this.use(l.value.field);
    });
  }


  private use(f: FieldRef): void {
    const s = this.slot(f);
    if (!isError(s)) s.uses++;
  }

  /** Binds a field reference (with its transformers), once per distinct reference. */
  private slot(f: FieldRef): Slot | SpanError {
    const key = fieldKey(f);
    let s = this.slots.get(key);
    if (s !== undefined) return s;
    s = this.bindSlot(f);
    this.slots.set(key, s);
    return s;
  }

  private bindSlot(f: FieldRef): Slot | SpanError {
    const bound = this.fields.bind(f.name, f.arg);
    if (typeof bound === 'string') {
      return { code: bound.startsWith('unknown field') ? 'unknown-field' : 'bad-field-arg', message: bound, span: f.span };
    }
    const d = bound.descriptor;
    const t = transformedType(d.type, f.transformers);
    if ('error' in t) return { code: 'bad-transformer', message: t.error, span: f.span };
    return {
      type: t.type,
      multi: f.transformers.includes('len') ? undefined : bound.multi,
      available: d.available !== false,
      alternatives: d.alternatives,
      extract: f.transformers.length ? applyTransformers(bound.extract, f.transformers) : bound.extract,
      some: f.transformers.length ? undefined : bound.some,
      uses: 0,
    };
  }

  /** The bound slot for a reference, or undefined after recording the binding error. */
  private bound(f: FieldRef): Slot | undefined {
    const s = this.slot(f);
    if (!isError(s)) return s;
    this.errors.push(s);
    return undefined;
  }

  /** Code that extracts the field into its local and evaluates to the value. */
  private access(s: Slot): { v: Code; get: Code } {
    if (!s.v) {
      s.v = this.b.name('v');
      s.x = this.b.constant(s.extract);
    }
    const { v, x } = s as Required<Pick<Slot, 'v' | 'x'>>;
    if (s.uses > 1) {
      const u = this.b.constant(UNSET);
      return { v, get: js`(${v} === ${u} ? (${v} = ${x}(evt, ctx)) : ${v})` };
    }
    return { v, get: js`(${v} = ${x}(evt, ctx))` };
  }

  private expr(e: Expr): Code {
    switch (e.kind) {
      case 'and':
        return js`(${this.expr(e.left)} && ${this.expr(e.right)})`;
      case 'or':
        return js`(${this.expr(e.left)} || ${this.expr(e.right)})`;
      case 'not':
        return js`!${this.expr(e.expr)}`;
      case 'const':
        return e.value ? TRUE : FALSE;
      case 'macro':
        this.errors.push({ code: 'unresolved-macro', message: `'${e.name}' is not a field, macro or list`, span: e.span });
        return FALSE;
      case 'unary': {
        const s = this.bound(e.field);
        if (!s) return FALSE;
        if (s.alternatives) return this.either(s.alternatives, e.field, (f) => this.expr({ ...e, field: f }));
        if (!s.available) return FALSE;
        return js`(${this.access(s).get} !== undefined)`;
      }
      case 'compare':
        return this.compare(e);
    }
  }

  /**
   * `fd.ip = x` is `fd.cip = x or fd.sip = x`; as in libsinsp, `fd.ip != x` holds only when neither
   * end is x, so `!=` joins the ends with `and`.
   */
  private either(names: readonly string[], f: FieldRef, gen: (f: FieldRef) => Code, all = false): Code {
    const parts = names.map((name) => gen({ ...f, name }));
    return parts.reduce((acc, p) => (all ? js`(${acc} && ${p})` : js`(${acc} || ${p})`));
  }

  private compare(e: Extract<Expr, { kind: 'compare' }>): Code {
    const s = this.bound(e.field);
    if (!s) return FALSE;
    if (s.alternatives) return this.either(s.alternatives, e.field, (f) => this.compare({ ...e, field: f }), e.op === '!=');
    if (e.value.kind === 'fieldval') return this.compareVal(e, s, e.value.field);
    const items = rhsItems(e.value);
    if (s.multi) return this.compareMulti(e, s, items);
    // A field falconet never has still gets its values checked, then folds to false.
    const { v, get } = s.available ? this.access(s) : { v: this.b.name('a'), get: FALSE };
    const test = compileTest({ op: e.op, type: s.type, items, valueSpan: e.value.span, span: e.span, v, b: this.b, prepared: this.prepared });
    if (!test.ok) {
      this.errors.push(...test.errors);
      return FALSE;
    }
    return s.available ? js`(${get}, ${test.code})` : FALSE;
  }

  /** Several values: a hoisted test function applied to each (built once, not per event). */
  private compareMulti(e: Extract<Expr, { kind: 'compare' }>, s: Slot, items: RhsItem[]): Code {
    const a = this.b.name('a');
    const test = compileTest({ op: e.op, type: s.type, items, valueSpan: e.value.span, span: e.span, v: a, b: this.b, prepared: this.prepared });
    if (!test.ok) {
      this.errors.push(...test.errors);
      return FALSE;
    }
    const t = this.b.name('t');
    this.hoisted.push(js`const ${t} = (${a}) => ${test.code};`);
    if (s.multi === 'any' && s.some) return js`${this.b.constant(s.some)}(evt, ctx, ${t})`;
    const all = s.multi === 'list' && e.op === 'in';
    const loop = this.b.constant(all ? every : some);
    const { v, get } = this.access(s);
    return js`(${get} !== undefined && ${loop}(${v}, ${t}))`;
  }

  /** `field op val(other)`: both values must be there. */
  private compareVal(e: Extract<Expr, { kind: 'compare' }>, s: Slot, other: FieldRef): Code {
    const o = this.bound(other);
    if (!o) return FALSE;
    if (s.multi || o.multi || o.alternatives) {
      this.errors.push({ code: 'bad-operator', message: 'val() compares single-valued fields only', span: e.span });
      return FALSE;
    }
    const left = this.access(s);
    const right = this.access(o);
    const test = compareFields(e.op, left.v, right.v, e.span);
    if (!test.ok) {
      this.errors.push(...test.errors);
      return FALSE;
    }
    return js`(${left.get} !== undefined && ${right.get} !== undefined && ${test.code})`;
  }
}

function rhsItems(v: Exclude<Value, { kind: 'fieldval' }>): RhsItem[] {
  switch (v.kind) {
    case 'literal':
      return [{ text: v.value, span: v.span }];
    // A bare name that no list resolved is a literal word, as in Falco (`evt.type in (open)`).
    case 'listref':
      return [{ text: v.name, span: v.span }];
    case 'list':
      return v.items.map((i) => ({ text: i.kind === 'literal' ? i.value : i.name, span: i.span }));
  }
}

function isError(s: Slot | SpanError): s is SpanError {
  return 'span' in s;
}

