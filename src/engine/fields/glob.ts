// fnmatch-style globs (`*`, `?`, `[...]`, `[!...]`) compiled once into anchored regular expressions.
// Used by the `glob`/`iglob` operators and by glob-keyed fields (container.mount.dest[/proc*]).
// Like fnmatch without FNM_PATHNAME, `*` also crosses `/`.

const REGEX_SPECIAL = /[\\^$.|+(){}]/;

export function globToRegExp(pattern: string, ignoreCase = false): RegExp {
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') src += '[\\s\\S]*';
    else if (c === '?') src += '[\\s\\S]';
    else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) src += '\\[';
      else {
        let body = pattern.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        // Inside a class only `\`, `]` and `^` need escaping for RegExp; `-` keeps its range meaning.
        src += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      src += escapeChar(pattern[++i]!);
    } else src += escapeChar(c);
  }
  return new RegExp(`${src}$`, ignoreCase ? 'i' : '');
}

/** Index of the `]` closing the class opened at `open`, or -1 when there is none. */
function classEnd(p: string, open: number): number {
  let j = open + 1;
  if (p[j] === '!' || p[j] === '^') j++;
  if (p[j] === ']') j++; // a leading ] is a literal member
  for (; j < p.length; j++) if (p[j] === ']') return j;
  return -1;
}

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) || c === '[' || c === ']' || c === '*' || c === '?' ? `\\${c}` : c;
}

/** True when the text has glob metacharacters (so a plain string compare is not enough). */
export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}
