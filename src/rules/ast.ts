// The condition AST. Every node carries the span of condition text it came from, as offsets into
// that text; the loader maps them to file:line:col through the YAML node the condition came from.

export interface Span {
  /** Offset of the first character, 0-based, in the condition string. */
  start: number;
  /** Offset one past the last character. */
  end: number;
  /**
   * The condition text this span indexes into. Macros are inlined into rules, so nodes of one tree can
   * come from several texts; the parser stamps every span with the source it was given.
   */
  src?: ConditionSource;
}

/** Where a condition (or output) string lives, so spans inside it can be shown as file:line:col. */
export interface ConditionSource {
  /** The rule file's name as the user gave it. */
  file: string;
  /** The condition text itself. */
  text: string;
  /** Maps an offset in `text` to a 1-based line and column in the file. */
  locate(offset: number): { line: number; col: number };
}

export type CompareOp =
  | '='
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'pmatch'
  | 'in'
  | 'intersects';

export type UnaryOp = 'exists';

export type Transformer = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len';

/** A field reference: `proc.aname[2]`, `evt.arg.name`, `evt.arg[0]`, `tolower(proc.name)`. */
export interface FieldRef {
  kind: 'field';
  /** The field name without its argument: `proc.aname`, `evt.arg`. */
  name: string;
  /** `[2]` or `[name]` or the `.name` after `evt.arg`; undefined when absent. */
  arg?: string;
  /** Transformers applied innermost first: `toupper(tolower(x))` is ['tolower', 'toupper']. */
  transformers: Transformer[];
  span: Span;
}

/** A right-hand side value. */
export type Value =
  | { kind: 'literal'; value: string; quoted: boolean; span: Span }
  | { kind: 'list'; items: ListItem[]; span: Span }
  /** A bare identifier used as a list name on the right of `in`/`intersects`/`pmatch`, or as a value. */
  | { kind: 'listref'; name: string; span: Span }
  /** `val(field)`: compare against another field of the same event. */
  | { kind: 'fieldval'; field: FieldRef; span: Span };

/** An item of a list literal: a literal or a reference to a named list (expanded by the list resolver). */
export type ListItem =
  | { kind: 'literal'; value: string; quoted: boolean; span: Span }
  | { kind: 'listref'; name: string; span: Span };

export type Expr =
  | { kind: 'and'; left: Expr; right: Expr; span: Span }
  | { kind: 'or'; left: Expr; right: Expr; span: Span }
  | { kind: 'not'; expr: Expr; span: Span }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Value; span: Span }
  | { kind: 'unary'; field: FieldRef; op: UnaryOp; span: Span }
  /** A bare identifier in boolean position: a macro reference, resolved by the macro resolver. */
  | { kind: 'macro'; name: string; span: Span }
  /** Constant truth values produced by resolvers and folding (never written by users). */
  | { kind: 'const'; value: boolean; span: Span };

export type ExprKind = Expr['kind'];
