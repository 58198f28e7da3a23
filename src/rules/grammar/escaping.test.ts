import { describe, expect, it } from 'vitest';
import { unquote } from './escaping.js';

describe('unquote', () => {
  const cases: [string, string][] = [
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['""', ''],
    ['"say \\"hi\\""', 'say "hi"'],
    ["'it\\'s'", "it's"],
    ['"back\\\\slash"', 'back\\slash'],
    ['"tab\\there"', 'tab\there'],
    ['"line\\nbreak"', 'line\nbreak'],
    // Unknown escapes stay as written: Falco's rules look for a literal "\ " this way.
    ['"\\ "', '\\ '],
    ['"C:\\dir"', 'C:\\dir'],
  ];
  it.each(cases)('%s', (text, value) => {
    expect(unquote(text)).toBe(value);
  });
});
