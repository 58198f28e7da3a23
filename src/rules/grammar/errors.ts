// Turning a failed nearley parse into one human sentence. nearley's own message is a dump of its
// parse table; instead we read which token kinds the parser could have accepted at the failure point
// and name them in Falco's words, with a few special cases for the mistakes people actually make.

import { tokenize, type Token, type TokenType } from './lexer.js';

/** A condition that does not parse. `offset` is 0-based into the condition text. */
export class ConditionSyntaxError extends Error {
  override readonly name = 'ConditionSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(message);
  }
}

/** Token kinds grouped under the phrase a user understands, in the order we list them. */
const PHRASES: readonly [string, readonly TokenType[]][] = [
  ['a field', ['field', 'transformer']],
  ['macro name', ['ident']],
  ["'not'", ['not']],
  ["'('", ['lparen']],
  ['an operator', ['cmpop', 'wordop', 'listop', 'exists']],
  ['a value', ['string', 'vident', 'bare', 'val']],
  ['a list', ['listopen']],
  ['a list item', ['item']],
  ['a field argument', ['argtext']],
  ["']'", ['rbracket']],
  ["'and'", ['and']],
  ["'or'", ['or']],
  ["','", ['comma']],
  ["')'", ['rparen', 'listclose']],
];

export interface Failure {
  /** The offending token; undefined when the text ended too early. */
  token: Token | undefined;
  /** Token kinds the parser would have accepted there. */
  expected: ReadonlySet<string>;
  /** Whether the condition would have been complete without the offending token. */
  couldEnd: boolean;
}

export function syntaxError(text: string, f: Failure): ConditionSyntaxError {
  const tokens = tokenize(text);
  const at = f.token?.offset ?? text.length;
  const before = tokens.filter((t) => t.offset < at);
  const prev = before[before.length - 1];
  const here = f.token === undefined ? 'end of condition' : `'${clip(f.token.text)}'`;
  const fail = (message: string): ConditionSyntaxError =>
    new ConditionSyntaxError(message, at, f.token === undefined ? 0 : Math.max(1, f.token.text.length));

  if (f.token?.type === 'unterminated') return new ConditionSyntaxError('unterminated string', at, 1);
  if (f.token === undefined && f.expected.has('rbracket')) {
    const open = [...before].reverse().find((t) => t.type === 'lbracket');
    // Point at the bracket left open: that is where the fix goes, not at the end of the text.
    if (open) return new ConditionSyntaxError("this '[' is never closed: missing ']'", open.offset, 1);
    return fail("missing ']'");
  }
  if (f.token === undefined && (f.expected.has('rparen') || f.expected.has('listclose'))) {
    const open = unclosedParen(before);
    if (open !== undefined) return new ConditionSyntaxError("this '(' is never closed: missing ')'", open, 1);
  }
  if (prev?.type === 'listop') {
    return fail(`operator '${prev.text}' needs a list like (a, b) or a list name`);
  }
  if (prev !== undefined && (prev.type === 'cmpop' || prev.type === 'wordop')) {
    if (f.token?.type === 'listopen') return fail(`operator '${prev.text}' takes a single value, not a list`);
    return fail(`unexpected ${here}: expected a value after '${prev.text}'`);
  }
  if (prev?.type === 'ident' && f.token !== undefined && isOperator(f.token.type)) {
    return fail(`'${prev.text}' is not a field (field names have a dot, like proc.name); a bare name is a macro`);
  }
  return fail(`unexpected ${here}: expected ${describe(f.expected, f.couldEnd)}`);
}

function isOperator(t: TokenType): boolean {
  return t === 'cmpop' || t === 'wordop' || t === 'listop' || t === 'exists';
}

function describe(expected: ReadonlySet<string>, couldEnd: boolean): string {
  // Inside a list a quoted string is just another item; "a value or a list item" would read as two things.
  const inList = expected.has('item');
  const names = PHRASES.filter(([name, types]) => types.some((t) => expected.has(t)) && !(inList && name === 'a value'))
    .map(([name]) => name);
  if (couldEnd) names.push('the end of the condition');
  if (names.length === 0) return 'nothing more';
  if (names.length === 1) return names[0] as string;
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] as string}`;
}

/** The offset of the innermost '(' left open by `tokens`, if any. */
function unclosedParen(tokens: readonly Token[]): number | undefined {
  const open: number[] = [];
  for (const t of tokens) {
    if (t.type === 'lparen' || t.type === 'listopen') open.push(t.offset);
    else if ((t.type === 'rparen' || t.type === 'listclose') && open.length > 0) open.pop();
  }
  return open[open.length - 1];
}

/** Long tokens (a runaway bare word, a whole string) are cut so the message stays one line. */
function clip(text: string): string {
  const line = text.split('\n')[0] as string;
  return line.length > 40 ? `${line.slice(0, 37)}...` : line;
}
