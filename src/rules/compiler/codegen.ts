// A tiny safe code builder (in the spirit of Ajv's compile/codegen). Generated JavaScript is only
// ever assembled from `Code` values, and a `Code` can only come from (a) template literal text
// written in this compiler's source, (b) a name the builder allocated, or (c) a reference to a
// constant the builder stored. User data (field values, list items, regexes) always goes into the
// constants array and is referenced by index, so it can never become code.

const brand: unique symbol = Symbol('Code');

export class Code {
  readonly [brand] = true;
  private constructor(readonly text: string) {}

  /** Only this module mints Code; everything else composes it. */
  static unsafeFromCompilerSource(text: string): Code {
    return new Code(text);
  }

  toString(): string {
    return this.text;
  }
}

const mint = Code.unsafeFromCompilerSource;

/**
 * Tagged template for code: the literal parts are compiler source, and every interpolation must
 * already be Code (checked at run time too, so a stray string cannot slip through a cast).
 */
export function js(parts: TemplateStringsArray, ...args: readonly Code[]): Code {
  let out = parts[0]!;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!(a instanceof Code)) throw new TypeError('codegen: interpolated value is not Code');
    out += a.text + parts[i + 1]!;
  }
  return mint(out);
}

/** Joins code fragments with a separator that is itself code (` && `, `, `). */
export function joinCode(items: readonly Code[], sep: Code): Code {
  return mint(items.map((c) => c.text).join(sep.text));
}

export const TRUE = mint('true');
export const FALSE = mint('false');

/**
 * Collects the constants and names of one generated function, then builds it. Each function gets
 * its own builder; constants are passed in as an array and bound to locals once, at build time.
 */
export class CodeBuilder {
  private readonly consts: unknown[] = [];
  private readonly constIndex = new Map<unknown, number>();
  private readonly locals: string[] = [];
  private readonly counters = new Map<string, number>();

  /** A reference to a constant. Identical primitive/object values share one slot. */
  constant(value: unknown): Code {
    let i = this.constIndex.get(value);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(value);
      this.constIndex.set(value, i);
    }
    return mint(`k${i}`);
  }

  /** A fresh identifier with a fixed compiler-chosen prefix (v, t...). */
  name(prefix: 'v' | 't' | 'a'): Code {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return mint(`${prefix}${n}`);
  }

  /** Declares a per-call local (`let v0 = <init>;`) at the top of the generated function body. */
  local(name: Code, init?: Code): void {
    this.locals.push(init ? `let ${name.text} = ${init.text};` : `let ${name.text};`);
  }

  /**
   * Builds `function (evt, ctx) { <locals> return <body>; }` with the constants bound. `hoisted` are
   * declarations evaluated once at build time (helper test functions), before the returned function.
   */
  build<F>(body: Code, hoisted: readonly Code[] = []): F {
    const bind = this.consts.map((_, i) => `const k${i} = K[${i}];`).join('\n');
    const src = [
      '"use strict";',
      bind,
      ...hoisted.map((h) => h.text),
      'return function predicate(evt, ctx) {',
      ...this.locals,
      `return ${body.text};`,
      '};',
    ].join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this module; see header
    const factory = new Function('K', src) as (k: readonly unknown[]) => F;
    const fn = factory(this.consts);
    sources.set(fn as object, src);
    return fn;
  }
}

// The source of each generated function, for tests and for reading what a rule compiled into.
const sources = new WeakMap<object, string>();

export function generatedSource(fn: object): string | undefined {
  return sources.get(fn);
}
