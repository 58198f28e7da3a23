// The command line itself: version, help, and usage mistakes, which exit 2 like every usage error
// (1 is kept for "the rules have errors").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { falconet, ROOT } from './cli.js';

describe('falconet command line', () => {
  it('prints the package version with --version', () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    expect(falconet(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('exits 0 on --help', () => {
    const r = falconet(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--drop-alert-threshold <fraction>');
  });

  it.each([
    [['nosuch'], "error: unknown command 'nosuch'"],
    [['validate', '--nosuch'], "error: unknown option '--nosuch'"],
    [['replay'], "error: missing required argument 'file'"],
    [['capture'], "error: required option '-w, --write <file>' not specified"],
  ])('exits 2 on %j, naming the mistake', (args, message) => {
    const r = falconet(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
