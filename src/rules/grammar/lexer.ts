// The condition lexer. Falco's filter language is context sensitive: `/etc/shadow`, `<` and `-1` are
// plain values after an operator but nonsense in boolean position, and `proc.name=sshd` has no
// spaces. moo states model that: an operator switches to `value`, `(` there opens a `list`, `[` after
// a field reads its argument; every value token returns to `main`. Each state ends with a catch-all so
// lexing never throws: the parser reports an unexpected token with its offset instead.

import moo from 'moo';

/** Quoted strings with backslash escapes; may span lines. */
const STRING = { match: /"(?:[^"\\]|\\[^])*"|'(?:[^'\\]|\\[^])*'/, lineBreaks: true };
/** A quote with no closing partner: everything to the end, so the error points at the opening quote. */
const UNTERMINATED = { match: /["'][^]*/, lineBreaks: true };
const WS = { match: /\s+/, lineBreaks: true };
/** A bare word ends at whitespace, `)` and `,`; it cannot start with a quote or `(`. */
const BARE = /[^\s(),"'][^\s),]*/;

const states: Record<string, moo.Rules> = {
  main: {
    ws: WS,
    string: STRING,
    unterminated: UNTERMINATED,
    lparen: '(',
    rparen: ')',
    comma: ',',
    lbracket: { match: '[', push: 'arg' },
    cmpop: { match: /==|!=|<=|>=|=|<|>/, next: 'value' },
    // Word operators only when the word ends there, so `in_use` or `globals` stay macro names.
    listop: { match: /(?:intersects|pmatch|in)(?![\w.])/, next: 'value' },
    wordop: {
      match: /(?:icontains|bcontains|contains|bstartswith|startswith|endswith|iglob|glob|regex)(?![\w.])/,
      next: 'value',
    },
    // A transformer name is only one when a call follows; `len` alone is a macro name.
    transformer: /(?:tolower|toupper|b64|basename|len)(?=\s*\()/,
    field: /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+/,
    ident: {
      match: /[A-Za-z_][A-Za-z0-9_]*/,
      type: moo.keywords({ and: 'and', or: 'or', not: 'not', exists: 'exists' }),
    },
    bad: /[^\s(),]+/,
  },
  value: {
    ws: WS,
    string: { ...STRING, next: 'main' },
    unterminated: UNTERMINATED,
    listopen: { match: '(', next: 'list' },
    rparen: { match: ')', next: 'main' },
    comma: { match: ',', next: 'main' },
    val: { match: /val(?=\s*\()/, next: 'main' },
    // A name-like word: a list name after `in`, a plain value elsewhere.
    vident: { match: /[A-Za-z_][A-Za-z0-9_-]*(?![^\s),])/, next: 'main' },
    bare: { match: BARE, next: 'main' },
  },
  list: {
    ws: WS,
    string: STRING,
    unterminated: UNTERMINATED,
    comma: ',',
    listclose: { match: ')', next: 'main' },
    item: BARE,
    bad: /\S/,
  },
  arg: {
    argtext: { match: /[^\]]+/, lineBreaks: true },
    rbracket: { match: ']', pop: 1 },
  },
};

export type TokenType =
  | 'string' | 'unterminated' | 'lparen' | 'rparen' | 'comma' | 'lbracket' | 'rbracket' | 'argtext'
  | 'cmpop' | 'listop' | 'wordop' | 'transformer' | 'field' | 'ident' | 'and' | 'or' | 'not' | 'exists'
  | 'bad' | 'listopen' | 'listclose' | 'val' | 'vident' | 'bare' | 'item';

export interface Token {
  type: TokenType;
  /** The token's text as written, quotes included. */
  text: string;
  offset: number;
}

/** The nearley lexer interface over moo, dropping whitespace (the grammar never mentions it). */
export class ConditionLexer {
  private readonly moo = moo.states(states);

  reset(chunk: string, state?: moo.LexerState): void {
    this.moo.reset(chunk, state);
  }

  next(): moo.Token | undefined {
    let tok = this.moo.next();
    while (tok !== undefined && tok.type === 'ws') tok = this.moo.next();
    return tok;
  }

  save(): moo.LexerState {
    return this.moo.save();
  }

  formatError(token: moo.Token, message = 'invalid syntax'): string {
    return this.moo.formatError(token, message);
  }

  /** Every `%name` in the grammar is one of ours; nearley asks before building its token matchers. */
  has(_tokenType: string): boolean {
    return true;
  }
}

export const lexer = new ConditionLexer();

/** Every token of `text`, for error analysis after a failed parse. */
export function tokenize(text: string): Token[] {
  const lx = new ConditionLexer();
  lx.reset(text);
  const out: Token[] = [];
  for (let t = lx.next(); t !== undefined; t = lx.next()) {
    out.push({ type: t.type as TokenType, text: t.text, offset: t.offset });
  }
  return out;
}
