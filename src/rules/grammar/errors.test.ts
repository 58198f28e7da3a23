import { describe, expect, it } from 'vitest';
import { ConditionSyntaxError, parseCondition } from './index.js';

function failure(text: string): { offset: number; length: number; message: string } {
  try {
    parseCondition(text);
  } catch (err) {
    if (!(err instanceof ConditionSyntaxError)) throw err;
    return { offset: err.offset, length: err.length, message: err.message };
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parseCondition: syntax errors', () => {
  const cases: [string, number, string][] = [
    ['', 0, "unexpected end of condition: expected a field, macro name, 'not' or '('"],
    ['and a', 0, "unexpected 'and': expected a field, macro name, 'not' or '('"],
    ['a and and b', 6, "unexpected 'and': expected a field, macro name, 'not' or '('"],
    ['a and', 5, "unexpected end of condition: expected a field, macro name, 'not' or '('"],
    ['/etc/shadow', 0, "unexpected '/etc/shadow': expected a field, macro name, 'not' or '('"],
    ['a b', 2, "unexpected 'b': expected 'and', 'or' or the end of the condition"],
    ['(a b)', 3, "unexpected 'b': expected 'and', 'or' or ')'"],
    ['a)', 1, "unexpected ')': expected 'and', 'or' or the end of the condition"],
    ['(a', 0, "this '(' is never closed: missing ')'"],
    ['a and (b or (c)', 6, "this '(' is never closed: missing ')'"],
    ['proc.name in (a, b', 13, "this '(' is never closed: missing ')'"],
    ['proc.name = "abc', 12, 'unterminated string'],
    ["proc.name in ('a, b)", 14, 'unterminated string'],
    ['proc.name', 9, 'unexpected end of condition: expected an operator'],
    ['proc.name sh', 10, "unexpected 'sh': expected an operator"],
    ['proc.name =', 11, "unexpected end of condition: expected a value after '='"],
    ['(proc.name = )', 13, "unexpected ')': expected a value after '='"],
    ['proc.name contains', 18, "unexpected end of condition: expected a value after 'contains'"],
    ['proc.name = (a, b)', 12, "operator '=' takes a single value, not a list"],
    ['proc.name in "sh"', 13, "operator 'in' needs a list like (a, b) or a list name"],
    ['proc.name in /bin/sh', 13, "operator 'in' needs a list like (a, b) or a list name"],
    ['proc.name pmatch', 16, "operator 'pmatch' needs a list like (a, b) or a list name"],
    ['proc.name in (a,)', 16, "unexpected ')': expected a list item"],
    ['proc.name in (a b)', 16, "unexpected 'b': expected ',' or ')'"],
    ['proc.name in ((a))', 14, "unexpected '(': expected a list item or ')'"],
    ['foo = bar', 4, "'foo' is not a field (field names have a dot, like proc.name); a bare name is a macro"],
    ['proc.aname[2', 10, "this '[' is never closed: missing ']'"],
    ['not', 3, "unexpected end of condition: expected a field, macro name, 'not' or '('"],
    ['a AND b', 2, "unexpected 'AND': expected 'and', 'or' or the end of the condition"],
    ['tolower(a) = b', 8, "unexpected 'a': expected a field"],
    ['proc.name = val(x)', 16, "unexpected 'x': expected a field"],
    ['fd.name exists x', 15, "unexpected 'x': expected 'and', 'or' or the end of the condition"],
  ];
  it.each(cases)('%j', (text, offset, message) => {
    expect(failure(text)).toMatchObject({ offset, message });
  });

  it('underlines the offending token', () => {
    expect(failure('a and and b').length).toBe(3);
    expect(failure('a and').length).toBe(0);
  });

  it('keeps long tokens out of the message', () => {
    const long = 'x'.repeat(100);
    expect(failure(`a /${long}`).message).toBe(`unexpected '/${'x'.repeat(36)}...': expected 'and', 'or' or the end of the condition`);
  });
});
