import { describe, expect, it } from 'vitest';
import { overrideLayer, parseConfigFile, resolveSettings, type Env } from './index.js';
import { problemsOf } from './testing/problems.js';

const FILE = '/etc/falconet/falconet.yaml';
const parse = (text: string, env: Env = {}) => parseConfigFile(text, FILE, env);
const resolve = (text: string, env: Env = {}) => resolveSettings([parse(text, env)]);

describe('parseConfigFile positions', () => {
  const text = [
    '# a comment',
    'json_output: true',
    'http_output:',
    '  enabled: true',
    '  headers:',
    '    X-Token: abc',
    'rules_files:',
    '  - /a.yaml',
    '  - /b.yaml',
    'syscall_event_drops: {actions: [log, alert]}',
    '',
  ].join('\n');
  const layer = parse(text);

  it.each([
    [['json_output'], `${FILE}:2:1`],
    [['http_output'], `${FILE}:3:1`],
    [['http_output', 'enabled'], `${FILE}:4:3`],
    [['http_output', 'headers', 'X-Token'], `${FILE}:6:5`],
    [['rules_files', 0], `${FILE}:8:5`],
    [['rules_files', 1], `${FILE}:9:5`],
    [['syscall_event_drops', 'actions', 1], `${FILE}:10:38`],
    // Not in the file: the nearest key that is.
    [['http_output', 'url'], `${FILE}:3:1`],
    [['stdout_output', 'enabled'], FILE],
  ])('%j is at %s', (path, origin) => {
    expect(layer.origin(path)).toBe(origin);
  });

  it('reads the values as YAML does', () => {
    expect(layer.values).toEqual({
      json_output: true,
      http_output: { enabled: true, headers: { 'X-Token': 'abc' } },
      rules_files: ['/a.yaml', '/b.yaml'],
      syscall_event_drops: { actions: ['log', 'alert'] },
    });
  });

  it('takes anchors, aliases and merge keys, naming the key that holds them', () => {
    const l = parse('base: &b\n  enabled: true\nfile_output:\n  <<: *b\n  filename: /x\n');
    expect(l.values.file_output).toEqual({ enabled: true, filename: '/x' });
    expect(l.origin(['file_output', 'enabled'])).toBe(`${FILE}:3:1`);
    expect(l.origin(['file_output', 'filename'])).toBe(`${FILE}:5:3`);
  });

  it('is an empty layer for an empty file or one of comments only', () => {
    expect(parse('').values).toEqual({});
    expect(parse('# nothing\n').values).toEqual({});
  });
});

describe('parseConfigFile errors', () => {
  it.each([
    ['json_output: true\njson_output: false\n', `${FILE}:2:1: Map keys must be unique\njson_output: false\n^`],
    ['http_output:\n  url: [unclosed\n', `${FILE}:3:1: `],
    ['- a\n- b\n', `${FILE}:1:1: a config file holds a map of settings (key: value), not a list`],
    ['just text\n', `${FILE}:1:1: a config file holds a map of settings (key: value), not a single value`],
  ])('%j', (text, start) => {
    const problems = problemsOf(() => parse(text));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith(start)).toBe(true);
  });
});

describe('${VAR} in values', () => {
  const env: Env = { HOST: 'collector', PORT: '9000', EMPTY: '', FLAG: 'true' };
  it.each([
    ['http_output: {url: "http://${HOST}:${PORT}/a"}', ['http_output', 'url'], 'http://collector:9000/a'],
    // A plain value is read again: a number, a boolean.
    // (In a flow map `{...}` a bare ${ would open a map: Falco's files use block style.)
    ['webserver:\n  listen_port: ${PORT}', ['webserver', 'listen_port'], 9000],
    ['json_output: ${FLAG}', ['json_output'], true],
    // A quoted one stays text.
    ['program_output: {program: "${PORT}"}', ['program_output', 'program'], '9000'],
    ['program_output: {program: "echo $${HOST}"}', ['program_output', 'program'], 'echo ${HOST}'],
    ['program_output: {program: "a ${EMPTY}b"}', ['program_output', 'program'], 'a b'],
    ['rules_files: ["/r/${HOST}.yaml"]', ['rules_files', 0], '/r/collector.yaml'],
    ['program_output: {program: "cost $5 {x}"}', ['program_output', 'program'], 'cost $5 {x}'],
  ])('%s', (text, path, value) => {
    const l = parse(text, env);
    expect(l.warnings).toEqual([]);
    let v: unknown = resolveSettings([l]).settings;
    for (const k of path) v = (v as Record<string | number, unknown>)[k];
    expect(v).toEqual(value);
  });

  it("reads an unset variable as '' (as Falco), with a warning naming where", () => {
    const l = parse('json_output: true\nk8s:\n  node_name: node-${NODE_NAME}\n', {});
    expect(l.values).toMatchObject({ k8s: { node_name: 'node-' } });
    expect(l.warnings).toEqual([`${FILE}:3:14: environment variable 'NODE_NAME' is not set; it reads as ''`]);
  });

  it('leaves keys alone', () => {
    expect(parse('http_output:\n  headers:\n    ${HOST}: x\n', env).values).toEqual({ http_output: { headers: { '${HOST}': 'x' } } });
  });
});

describe('a file layer in resolveSettings', () => {
  it.each([
    ['http_output:\n  enabled: false\n  ulr: http://h\n', `${FILE}:3:3: unknown setting 'http_output.ulr' (did you mean 'http_output.url'?); ignored`],
    ['json_outptu: true\n', `${FILE}:1:1: unknown setting 'json_outptu' (did you mean 'json_output'?); ignored`],
    ['webserver:\n  listen_prot: 1\n', `${FILE}:2:3: unknown setting 'webserver.listen_prot' (did you mean 'webserver.listen_port'?); ignored`],
    ['engine:\n  modern_ebpf:\n    buf_size_preest: 5\n', `${FILE}:3:5: unknown setting 'engine.modern_ebpf.buf_size_preest' (did you mean 'engine.modern_ebpf.buf_size_preset'?); ignored`],
    ['syscall_event_drop:\n  threshold: 0.2\n', `${FILE}:1:1: unknown setting 'syscall_event_drop' (did you mean 'syscall_event_drops'?); ignored`],
    ['grpc:\n  enabled: true\n', `${FILE}:1:1: unknown setting 'grpc'; ignored`],
  ])('warns of an unknown key where it is: %j', (text, warning) => {
    expect(resolve(text).warnings).toEqual([warning]);
  });

  it.each([
    ['json_output: maybe\n', `${FILE}:1:1: json_output: Invalid input: expected boolean, received string`, 'json_output'],
    ['outputs_queue:\n  capacity: -1\n', `${FILE}:2:3: outputs_queue.capacity: Too small: expected number to be >=0`, 'capacity'],
    ['priority: loud\n', `${FILE}:1:1: priority: Invalid option: expected one of "emergency"|"alert"|"critical"|"error"|"warning"|"notice"|"informational"|"debug"`, 'priority'],
    ['rule_matching: some\n', `${FILE}:1:1: rule_matching: Invalid option: expected one of "first"|"all"`, 'rule_matching'],
    ['syscall_event_drops:\n  actions: [log, halt]\n', `${FILE}:2:18: syscall_event_drops.actions[1]: Invalid option: expected one of "ignore"|"log"|"alert"|"exit"`, 'halt'],
    ['syscall_event_drops:\n  threshold: 1.5\n', `${FILE}:2:3: syscall_event_drops.threshold: Too big: expected number to be <1`, 'threshold'],
    ['syscall_event_drops:\n  actions: [ignore, alert]\n', `${FILE}:2:3: syscall_event_drops.actions: 'ignore' cannot be combined with other actions (alert)`, 'actions'],
    ['engine:\n  modern_ebpf:\n    ring_bytes: 5000\n', `${FILE}:3:5: engine.modern_ebpf.ring_bytes: expected a power of two`, 'ring_bytes'],
    ['engine:\n  modern_ebpf:\n    buf_size_preset: 11\n', `${FILE}:3:5: engine.modern_ebpf.buf_size_preset: Too big: expected number to be <=10`, 'buf_size_preset'],
    ['engine:\n  kind: kmod\n', `${FILE}:2:3: engine.kind: Invalid input: expected "modern_ebpf"`, 'kind'],
    ['metrics:\n  interval: soon\n', `${FILE}:2:3: metrics.interval: expected a duration such as 15s, 1m or 1h30m`, 'interval'],
    ['webserver:\n  listen_port: 70000\n', `${FILE}:2:3: webserver.listen_port: Too big: expected number to be <=65535`, 'listen_port'],
    ['log_level: verbose\n', `${FILE}:1:1: log_level: Invalid option: expected one of "emergency"|"alert"|"critical"|"error"|"warning"|"notice"|"info"|"debug"`, 'log_level'],
    ['rules_files: /etc/r.yaml\n', `${FILE}:1:1: rules_files: Invalid input: expected array, received string`, 'rules_files'],
    ['container_engines:\n  docker:\n    sockets: [/a.sock, /b.sock]\n', `${FILE}:3:5: container_engines.docker.sockets: falconet asks one Docker engine: list one socket`, 'sockets'],
    ['append_output:\n  - match:\n      source: syscall\n    extra_fields: [evt.hostname]\n', `${FILE}:1:1: append_output: the list form of append_output (match, extra_output, extra_fields) is not supported yet; use true (the container and pod fields, the default) or false`, 'append_output'],
    // A check on a value left at its default names the key that enabled the section.
    ['http_output:\n  enabled: true\n', `${FILE}:2:3: http_output.url: '' is not an http:// or https:// URL`, 'enabled'],
  ])('a wrong type or value names the key, where it is, and quotes it: %j', (text, head, underlined) => {
    // The quoted line with a caret under the key (or item) the message names.
    const [, line, col] = /:(\d+):(\d+): /.exec(head)!.map(Number) as [number, number, number];
    const source = text.split('\n')[line - 1]!;
    expect(source.slice(col - 1).startsWith(underlined)).toBe(true);
    expect(problemsOf(() => resolve(text))).toEqual([`${head}\n${source}\n${' '.repeat(col - 1)}^${'~'.repeat(underlined.length - 1)}`]);
  });

  it('an -o list index changes one item of the file\'s list', () => {
    const { settings, origin } = resolveSettings([parse('rules_files: [/a.yaml, /b.yaml]\n'), overrideLayer(['rules_files[1]=/c.yaml', 'rules_files[2]=/d.yaml'])]);
    expect(settings.rules_files).toEqual(['/a.yaml', '/c.yaml', '/d.yaml']);
    expect([0, 1, 2].map((i) => origin(['rules_files', i]))).toEqual([`${FILE}:1:15`, '-o rules_files[1]=/c.yaml', '-o rules_files[2]=/d.yaml']);
  });

  it('an -o object merges into the file\'s, key by key', () => {
    const { settings } = resolveSettings([parse('http_output:\n  url: http://a\n'), overrideLayer(['http_output={enabled: true}'])]);
    expect(settings.http_output).toMatchObject({ enabled: true, url: 'http://a' });
  });
});
