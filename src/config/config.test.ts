import { describe, expect, it } from 'vitest';
import {
  flagLayer,
  overrideLayer,
  OverrideSyntaxError,
  parseOverride,
  parseSyslogAddress,
  resolveSettings,
  type Layer,
} from './index.js';
import { problemsOf } from './testing/problems.js';

const resolveOptions = (...options: string[]) => resolveSettings([overrideLayer(options)]);

describe('parseOverride', () => {
  it.each([
    ['json_output=true', ['json_output'], true],
    ['json_output=false', ['json_output'], false],
    ['outputs_queue.capacity=10', ['outputs_queue', 'capacity'], 10],
    ['outputs.rate=0.5', ['outputs', 'rate'], 0.5],
    ['rules_files=[a, b]', ['rules_files'], ['a', 'b']],
    ['rules_files=[a,b]', ['rules_files'], ['a', 'b']],
    ['http_output.headers={X-A: b}', ['http_output', 'headers'], { 'X-A': 'b' }],
    ['http_output.url=http://h:8080/p?a=b&c=d', ['http_output', 'url'], 'http://h:8080/p?a=b&c=d'],
    ['program_output.program=a=b=c', ['program_output', 'program'], 'a=b=c'],
    // Text that YAML would read as a map, a list or a comment stays the text the user wrote.
    ['program_output.program=logger -t falco: alert', ['program_output', 'program'], 'logger -t falco: alert'],
    ["program_output.program=mail -s 'alert #1' root", ['program_output', 'program'], "mail -s 'alert #1' root"],
    ['program_output.program=- x', ['program_output', 'program'], '- x'],
    ['program_output.program=', ['program_output', 'program'], ''],
    ['program_output.program=null', ['program_output', 'program'], 'null'],
    ['program_output.program=~', ['program_output', 'program'], '~'],
    ["syslog_output.app_name='1234'", ['syslog_output', 'app_name'], '1234'],
    ['program_output.program="a: b"', ['program_output', 'program'], 'a: b'],
    ['syslog_output.address=unix:///dev/log', ['syslog_output', 'address'], 'unix:///dev/log'],
    ['rules_files[0]=/etc/r.yaml', ['rules_files', 0], '/etc/r.yaml'],
    ['a[0].b=1', ['a', 0, 'b'], 1],
    ['a[1][2].c=x', ['a', 1, 2, 'c'], 'x'],
  ])('%s', (text, path, value) => {
    expect(parseOverride(text)).toEqual({ path, value, text });
  });

  it.each(['a..b=x', '=x', '[0]=x', 'a.=x', '.a=x', 'a[x]=1', 'a[0]b=x', 'a.[0]=x', 'json_output', 'a[=1'])(
    'rejects %s, naming the option',
    (text) => {
      expect(() => parseOverride(text)).toThrow(OverrideSyntaxError);
      expect(() => parseOverride(text)).toThrow(`-o ${text}:`);
    },
  );

  it('overrideLayer gathers every bad option into one ConfigError', () => {
    const problems = problemsOf(() => overrideLayer(['a..b=x', 'json_output=true', '=y']));
    expect(problems).toEqual([
      "-o a..b=x: 'a..b' is not a setting path (key.sub.key, list[0].key)",
      '-o =y: expected key.path=value',
    ]);
  });
});

describe('resolveSettings defaults', () => {
  const { settings, warnings } = resolveSettings([]);

  it('has no warnings', () => {
    expect(warnings).toEqual([]);
  });

  // Falco's falco.yaml defaults, where the schema keeps Falco's key and meaning.
  it.each([
    ['json_output', false],
    ['json_include_output_property', true],
    ['json_include_tags_property', true],
    ['json_include_message_property', false],
    ['time_format_iso_8601', false],
    ['buffered_outputs', false],
    ['outputs.rate', 0],
    ['outputs.max_burst', 1000],
    ['stdout_output.enabled', true],
    ['file_output.enabled', false],
    ['file_output.keep_alive', false],
    ['file_output.filename', './events.txt'],
    ['program_output.enabled', false],
    ['program_output.keep_alive', false],
    ['http_output.enabled', false],
    ['http_output.insecure', false],
    ['http_output.mtls', false],
    ['http_output.echo', false],
    ['http_output.compress_uploads', false],
    ['http_output.keep_alive', false],
  ])('%s = %s (as Falco)', (key, value) => {
    let node: unknown = settings;
    for (const k of key.split('.')) node = (node as Record<string, unknown>)[k];
    expect(node).toEqual(value);
  });

  it('bounds the queue (unlike Falco) and leaves limits per channel unset', () => {
    expect(settings.outputs_queue).toEqual({ capacity: 10_000, drain_timeout_ms: 5_000 });
    expect(settings.http_output.rate).toBeUndefined();
    expect(settings.stdout_output).toEqual({ enabled: true });
    expect(settings.syslog_output).toMatchObject({ address: 'unix:///dev/log', facility: 'user', app_name: 'falconet', spool_dir: '', spool_max_mb: 100 });
  });
});

describe('resolveSettings from -o options', () => {
  it('applies values of each type', () => {
    const { settings, warnings } = resolveOptions(
      'json_output=true',
      'outputs_queue.capacity=0',
      'http_output.enabled=true',
      'http_output.url=https://h:8443/a?x=1',
      'http_output.headers.X-Token=abc',
      'stdout_output.rate=2.5',
      'syslog_output.facility=local3',
    );
    expect(warnings).toEqual([]);
    expect(settings.json_output).toBe(true);
    expect(settings.outputs_queue.capacity).toBe(0);
    expect(settings.http_output).toMatchObject({ enabled: true, url: 'https://h:8443/a?x=1', headers: { 'X-Token': 'abc' } });
    expect(settings.stdout_output).toEqual({ enabled: true, rate: 2.5 });
    expect(settings.syslog_output.facility).toBe('local3');
  });

  it.each([
    ['http_output.ulr=x', "-o http_output.ulr=x: unknown setting 'http_output.ulr' (did you mean 'http_output.url'?); ignored"],
    ['json_outptu=true', "-o json_outptu=true: unknown setting 'json_outptu' (did you mean 'json_output'?); ignored"],
    ['outputs_queue.capacty=5', "-o outputs_queue.capacty=5: unknown setting 'outputs_queue.capacty' (did you mean 'outputs_queue.capacity'?); ignored"],
    ['stdout_output.max_brust=5', "-o stdout_output.max_brust=5: unknown setting 'stdout_output.max_brust' (did you mean 'stdout_output.max_burst'?); ignored"],
    ['completely_unknown=1', "-o completely_unknown=1: unknown setting 'completely_unknown'; ignored"],
  ])('warns of the unknown key in %s and ignores it', (option, warning) => {
    const { settings, warnings } = resolveOptions(option, 'json_output=true');
    expect(warnings).toEqual([warning]);
    // The rest still applies.
    expect(settings.json_output).toBe(true);
  });

  it('warns of unknown keys inside a known object set as a whole', () => {
    const { settings, warnings } = resolveOptions('outputs_queue={capacity: 7, capacty: 8}');
    expect(settings.outputs_queue.capacity).toBe(7);
    expect(warnings).toEqual([
      "-o outputs_queue={capacity: 7, capacty: 8}: unknown setting 'outputs_queue.capacty' (did you mean 'outputs_queue.capacity'?); ignored",
    ]);
  });

  it.each([
    ['outputs_queue.capacity=abc', '-o outputs_queue.capacity=abc: outputs_queue.capacity: '],
    ['outputs_queue.capacity=-1', '-o outputs_queue.capacity=-1: outputs_queue.capacity: '],
    ['outputs_queue.capacity=1.5', '-o outputs_queue.capacity=1.5: outputs_queue.capacity: '],
    ['json_output=1', '-o json_output=1: json_output: '],
    ['stdout_output=1', '-o stdout_output=1: stdout_output: '],
    ['syslog_output.facility=local9', '-o syslog_output.facility=local9: syslog_output.facility: '],
    ['syslog_output.app_name=a b', '-o syslog_output.app_name=a b: syslog_output.app_name: '],
    ['stdout_output.max_burst=0', '-o stdout_output.max_burst=0: stdout_output.max_burst: '],
  ])('a wrong value: %s', (option, prefix) => {
    const problems = problemsOf(() => resolveOptions(option));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith(prefix)).toBe(true);
    // zod's reason follows the prefix.
    expect(problems[0]!.length).toBeGreaterThan(prefix.length);
  });

  it('reports every wrong value at once', () => {
    const problems = problemsOf(() => resolveOptions('outputs_queue.capacity=abc', 'json_output=maybe'));
    expect(problems.map((p) => p.split(': ')[0]).sort()).toEqual(['-o json_output=maybe', '-o outputs_queue.capacity=abc']);
  });

  it.each([
    [['http_output.enabled=true', 'http_output.url=ftp://h/x'], "-o http_output.url=ftp://h/x: http_output.url: 'ftp://h/x' is not an http:// or https:// URL"],
    [['http_output.enabled=true', 'http_output.url=not a url'], "-o http_output.url=not a url: http_output.url: 'not a url' is not an http:// or https:// URL"],
    // Left at its default: the option that enabled the channel is what the user can fix.
    [['http_output.enabled=true'], "-o http_output.enabled=true: http_output.url: '' is not an http:// or https:// URL"],
    [['program_output.enabled=true'], '-o program_output.enabled=true: program_output.program: program_output is enabled but names no program'],
    [['http_output.headers.A=b', 'http_output.enabled=true'], "-o http_output.enabled=true: http_output.url: '' is not an http:// or https:// URL"],
    [['program_output.enabled=true', 'program_output.program=  '], '-o program_output.program=  : program_output.program: program_output is enabled but names no program'],
    [['http_output.enabled=true', 'http_output.url=http://h', 'http_output.mtls=true'], '-o http_output.mtls=true: http_output.mtls: mtls needs client_cert and client_key'],
    [
      ['syslog_output.enabled=true', 'syslog_output.address=foo://h'],
      "-o syslog_output.address=foo://h: syslog_output.address: 'foo://h' is not a syslog address (unix:///dev/log, udp://host:514, tcp://host:514, tls://host:6514)",
    ],
    [['syslog_output.enabled=true', 'syslog_output.address=udp://h:70000'], "-o syslog_output.address=udp://h:70000: syslog_output.address: 'udp://h:70000': port 70000 is out of range"],
  ])('cross-field check: %j', (options, problem) => {
    expect(problemsOf(() => resolveOptions(...options))).toEqual([problem]);
  });

  it('does not check what a disabled channel holds', () => {
    const { settings } = resolveOptions('http_output.url=ftp://x', 'syslog_output.address=bogus');
    expect(settings.http_output).toMatchObject({ enabled: false, url: 'ftp://x' });
    expect(settings.syslog_output.address).toBe('bogus');
  });
});

describe('resolveSettings with layers', () => {
  const flags = (values: Record<string, unknown>, name: string): Layer => flagLayer(values, () => name);

  it('a later layer overrides an earlier one, key by key', () => {
    const { settings } = resolveSettings([
      flags({ json_output: true, http_output: { enabled: true, url: 'http://a' } }, '--json'),
      overrideLayer(['json_output=false', 'http_output.url=http://b']),
    ]);
    expect(settings.json_output).toBe(false);
    // The earlier layer's sibling key survives the later layer's object.
    expect(settings.http_output).toMatchObject({ enabled: true, url: 'http://b' });
  });

  it('an earlier layer is not changed by merging', () => {
    const first = flags({ http_output: { url: 'http://a' } }, '--first');
    resolveSettings([first, overrideLayer(['http_output.url=http://b'])]);
    expect(first.values).toEqual({ http_output: { url: 'http://a' } });
  });

  it('names the layer the bad value came from', () => {
    const bad = problemsOf(() => resolveSettings([overrideLayer(['http_output.url=ftp://x']), flags({ http_output: { enabled: true } }, '--http')]));
    expect(bad).toEqual(["-o http_output.url=ftp://x: http_output.url: 'ftp://x' is not an http:// or https:// URL"]);

    const overridden = problemsOf(() => resolveSettings([flags({ json_output: 'sometimes' }, '--json'), overrideLayer(['json_output=7'])]));
    expect(overridden).toHaveLength(1);
    expect(overridden[0]!.startsWith('-o json_output=7: json_output: ')).toBe(true);

    const earlier = problemsOf(() => resolveSettings([flags({ json_output: 'sometimes' }, '--json'), overrideLayer(['outputs.rate=1'])]));
    expect(earlier).toHaveLength(1);
    expect(earlier[0]!.startsWith('--json: json_output: ')).toBe(true);
  });

  it('names the flag that enabled a channel left without its setting', () => {
    const problems = problemsOf(() => resolveSettings([flags({ program_output: { enabled: true } }, '--program'), overrideLayer(['json_output=true'])]));
    expect(problems).toEqual(['--program: program_output.program: program_output is enabled but names no program']);
  });

  it('names the layer an unknown key came from', () => {
    const { warnings } = resolveSettings([flags({ file_output: { filenmae: 'x' } }, '--file'), overrideLayer(['http_output.ulr=y'])]);
    expect(warnings).toEqual([
      "--file: unknown setting 'file_output.filenmae' (did you mean 'file_output.filename'?); ignored",
      "-o http_output.ulr=y: unknown setting 'http_output.ulr' (did you mean 'http_output.url'?); ignored",
    ]);
  });
});

describe('parseSyslogAddress', () => {
  it.each([
    ['unix:///dev/log', { transport: 'unix', path: '/dev/log' }],
    ['/dev/log', { transport: 'unix', path: '/dev/log' }],
    ['/run/systemd/journal/syslog', { transport: 'unix', path: '/run/systemd/journal/syslog' }],
    ['udp://127.0.0.1:514', { transport: 'udp', host: '127.0.0.1', port: 514 }],
    ['udp://collector', { transport: 'udp', host: 'collector', port: 514 }],
    ['tcp://collector', { transport: 'tcp', host: 'collector', port: 514 }],
    ['tcp://[::1]:6514', { transport: 'tcp', host: '::1', port: 6514 }],
    ['tcp://[::1]', { transport: 'tcp', host: '::1', port: 514 }],
    ['tls://host', { transport: 'tls', host: 'host', port: 6514 }],
    ['tls://logs.example.com:10514', { transport: 'tls', host: 'logs.example.com', port: 10514 }],
    ['udp://h:65535/', { transport: 'udp', host: 'h', port: 65535 }],
  ])('%s', (text, address) => {
    expect(parseSyslogAddress(text)).toEqual(address);
  });

  it.each([
    ['http://h:514', "'http://h:514' is not a syslog address (unix:///dev/log, udp://host:514, tcp://host:514, tls://host:6514)"],
    ['dev/log', "'dev/log' is not a syslog address (unix:///dev/log, udp://host:514, tcp://host:514, tls://host:6514)"],
    ['unix://dev/log', "'unix://dev/log': a unix socket needs an absolute path (unix:///dev/log)"],
    ['udp://h:0', "'udp://h:0': port 0 is out of range"],
    ['tcp://h:65536', "'tcp://h:65536': port 65536 is out of range"],
    ['udp://h:abc', "'udp://h:abc': expected udp://host:port"],
    ['tls://h:', "'tls://h:': expected tls://host:port"],
    ['tcp://', "'tcp://': expected tcp://host:port"],
    ['tcp://::1:514', "'tcp://::1:514': expected tcp://host:port"],
  ])('rejects %s', (text, message) => {
    expect(parseSyslogAddress(text)).toBe(message);
  });
});

describe('values as YAML reads them', () => {
  it('takes a number or a boolean as text where a setting is text, and yes/no/on/off where it is a flag', () => {
    const s = resolveOptions('syslog_output.app_name=1234', 'http_output.headers.X-Token=12345', 'program_output.program=true', 'json_output=yes', 'file_output.enabled=on', 'stdout_output.enabled=Off');
    expect(s.settings.syslog_output.app_name).toBe('1234');
    expect(s.settings.http_output.headers).toEqual({ 'X-Token': '12345' });
    expect(s.settings.program_output.program).toBe('true');
    expect([s.settings.json_output, s.settings.file_output.enabled, s.settings.stdout_output.enabled]).toEqual([true, true, false]);
    expect(problemsOf(() => resolveOptions('json_output=maybe'))).toEqual(['-o json_output=maybe: json_output: Invalid input: expected boolean, received string']);
  });
});
