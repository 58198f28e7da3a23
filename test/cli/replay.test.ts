import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPAT, falconet, ROOT, tempDir } from './cli.js';

const SHELL = `${ROOT}/test/fixtures/replay/shell-in-container.jsonl`;

describe('falconet replay', () => {
  it('turns a shell-in-container event stream into the expected alert JSON', () => {
    const r = falconet(['replay', SHELL, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // The shell, then `ls` run from it: not on the allowlist rules/default.yaml ships for nginx images.
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      hostname: 'node-1',
      output:
        '01:00:01.200000000: Notice A shell was spawned in a container with an attached terminal (user=root shell=sh parent=runc' +
        ' command=sh terminal=34816 container=web image=nginx:1.25 container_id=3f2a9c81d2e4 k8s_pod=<NA> k8s_ns=<NA>)' +
        // append_output: the container fields the rule did not name (the container line's image)
        ' container_image_repository=nginx container_image_tag=1.25',
      output_fields: {
        'evt.time': 1764118801200000000,
        'user.name': 'root',
        'container.name': 'web',
        'container.id': '3f2a9c81d2e4',
        'container.image': 'nginx:1.25',
        'proc.name': 'sh',
        'proc.pname': 'runc',
        'proc.cmdline': 'sh',
        'proc.tty': 34816,
        'container.image.repository': 'nginx',
        'container.image.tag': '1.25',
        'k8s.ns.name': null,
        'k8s.pod.name': null,
      },
      priority: 'Notice',
      rule: 'Terminal shell in container',
      source: 'syscall',
      tags: ['container', 'shell', 'mitre_execution', 'T1059'],
      time: '2025-11-26T01:00:01.200000000Z',
    });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({
      rule: 'Unexpected process in container image',
      priority: 'Warning',
      output_fields: { 'proc.name': 'ls', 'proc.cmdline': 'ls /', 'proc.pname': 'sh', 'container.image.repository': 'nginx' },
    });
    // The exact nanosecond timestamp survives (a double could not hold it).
    expect(lines[0]).toContain('"evt.time":1764118801200000000');
    expect(r.stderr).toContain('4 events, 2 alerts, 0 bad lines');
  });

  it("fires Falco's own rule from the upstream ruleset on the same stream", () => {
    const r = falconet(['replay', SHELL, '-r', `${COMPAT}/falco_rules.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^01:00:01\.200000000: Notice A shell was spawned in a container with an attached terminal .*parent=runc .*terminal=34816/);
  });

  it('reports a bad line with its number, keeps going, and exits 2', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, readFileSync(SHELL, 'utf8').replace('"kind":"event","ts":"1764118801000000000"', '"kind":"event","ts":"soon"'));
    const r = falconet(['replay', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:5: error: "ts" must be an integer`);
    expect(r.stdout).toContain('A shell was spawned');
  });

  it('alerts on every matching rule with --rule-matching all, on the first by default', () => {
    const rules = join(tempDir(), 'two.yaml');
    const rule = (name: string) => `- rule: ${name}\n  desc: d\n  condition: evt.type = execve and proc.name = sh\n  output: ${name} %proc.name\n  priority: NOTICE\n`;
    writeFileSync(rules, rule('First shell rule') + rule('Second shell rule'));
    const first = falconet(['replay', SHELL, '-r', rules, '--no-append-output']);
    expect(first.stdout.trim().split('\n').map((l) => l.replace(/^\S+ \S+ /, ''))).toEqual(['First shell rule sh']);
    const all = falconet(['replay', SHELL, '-r', rules, '--rule-matching', 'all', '--no-append-output']);
    expect(all.stdout.trim().split('\n').map((l) => l.replace(/^\S+ \S+ /, ''))).toEqual(['First shell rule sh', 'Second shell rule sh']);
    const bad = falconet(['replay', SHELL, '-r', rules, '--rule-matching', 'some']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'some' is invalid. Allowed choices are first, all.");
  });

  it('writes alerts to a file as well with --file-output', () => {
    const out = join(tempDir(), 'alerts.log');
    expect(falconet(['replay', SHELL, '--file-output', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^01:00:01\.200000000: Notice A shell was spawned.*\n01:00:01\.300000000: Warning Process not on its image's allowlist .*\n$/);
  });

  it("takes Falco's -o key=value alert settings, with --json and --file-output as their shorthands", () => {
    const dir = tempDir();
    const out = join(dir, 'new', 'dirs', 'alerts.json');
    const r = falconet(['replay', SHELL, '-o', 'json_output=true', '-o', 'file_output.enabled=true', '-o', `file_output.filename=${out}`, '-o', 'json_include_tags_property=false', '-o', 'json_include_message_property=true', '-o', 'time_format_iso_8601=true']);
    expect(r.code, r.stderr).toBe(0);
    const alert = JSON.parse(r.stdout.split('\n')[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(alert)).toEqual(['hostname', 'message', 'output', 'output_fields', 'priority', 'rule', 'source', 'time']);
    expect(alert.output).toMatch(/^2025-11-26T01:00:01\.200000000Z: Notice A shell was spawned/);
    expect(alert.message).toMatch(/^A shell was spawned in a container with an attached terminal \(user=root/);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
    // The -o option wins over the flag it contradicts.
    expect(falconet(['replay', SHELL, '--json', '-o', 'json_output=false']).stdout).toMatch(/^01:00:01\.200000000: Notice /);
  });

  it('warns about an unknown setting with the likely key, and refuses a bad value naming the option', () => {
    const typo = falconet(['replay', SHELL, '-o', 'file_output.filname=/tmp/x']);
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain("-o file_output.filname=/tmp/x: unknown setting 'file_output.filname' (did you mean 'file_output.filename'?); ignored");
    const bad = falconet(['replay', SHELL, '-o', 'outputs_queue.capacity=lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^falconet: -o outputs_queue.capacity=lots: outputs_queue.capacity: Invalid input: expected number, received string\n$/);
    const url = falconet(['replay', SHELL, '-o', 'http_output.enabled=true', '-o', 'http_output.url=ftp://x']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("-o http_output.url=ftp://x: http_output.url: 'ftp://x' is not an http:// or https:// URL");
    const syntax = falconet(['replay', SHELL, '-o', 'json_output']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('-o json_output: expected key.path=value');
  });

  it('names a missing rules file', () => {
    const r = falconet(['replay', SHELL, '-r', '/nonexistent.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('falconet: cannot read rules file /nonexistent.yaml: no such file\n');
  });
});
