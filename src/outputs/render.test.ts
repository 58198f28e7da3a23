import { jsonSafe } from './escape.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineContext, SyscallEvent } from '../engine/event.js';
import type { FieldValue } from '../engine/fields/index.js';
import type { RulesetRule } from '../engine/ruleset.js';
import type { Priority } from '../rules/types.js';
import { buildAlert, internalAlert, type Alert } from './alert.js';
import { alertJson, alertLine, DEFAULT_RENDER, Rendered, type RenderOptions, type Suppressed } from './render.js';

// 2024-05-01T12:34:56.123456789Z
const TS = 1_714_566_896_123_456_789n;

/** An alert as the engine builds it: a rule whose output template produced `output` and `fields`. */
function alertOf(p: {
  output: string;
  fields: Record<string, FieldValue>;
  rule?: string;
  priority?: Priority;
  tags?: string[];
  source?: string;
  hostname?: string;
  ts?: bigint;
}): Alert {
  const rule = {
    name: p.rule ?? 'Terminal shell in container',
    priority: p.priority ?? 'NOTICE',
    tags: p.tags ?? ['container', 'shell', 'mitre_execution'],
    source: p.source ?? 'syscall',
    evttypes: 'all',
    predicate: () => true,
    enabled: true,
    output: { keys: Object.keys(p.fields), format: () => ({ output: p.output, fields: p.fields }) },
  } as RulesetRule;
  const evt = { ts: p.ts ?? TS } as SyscallEvent;
  const ctx = { hostname: p.hostname ?? 'node-1' } as EngineContext;
  return buildAlert(rule, evt, ctx);
}

const shell = () =>
  alertOf({
    output: 'A shell was spawned in a container (user=root shell=bash container=web)',
    fields: { 'user.name': 'root', 'proc.name': 'bash', 'container.name': 'web', 'proc.pid': 4242, 'evt.num': 9_007_199_254_740_993n },
  });

describe('alertLine', () => {
  it('is "HH:MM:SS.ns: Priority output", as Falco prints it', () => {
    expect(alertLine(shell(), DEFAULT_RENDER)).toBe('12:34:56.123456789: Notice A shell was spawned in a container (user=root shell=bash container=web)');
  });

  it('starts with the full ISO 8601 time with time_format_iso_8601', () => {
    expect(alertLine(shell(), { ...DEFAULT_RENDER, iso8601: true })).toBe(
      '2024-05-01T12:34:56.123456789Z: Notice A shell was spawned in a container (user=root shell=bash container=web)',
    );
  });

  it.each([
    ['EMERGENCY', 'Emergency'],
    ['CRITICAL', 'Critical'],
    ['WARNING', 'Warning'],
    ['INFORMATIONAL', 'Informational'],
    ['DEBUG', 'Debug'],
  ] as const)('prints priority %s as %s', (priority, label) => {
    expect(alertLine(alertOf({ output: 'x', fields: {}, priority }), DEFAULT_RENDER)).toBe(`12:34:56.123456789: ${label} x`);
  });

  it('escapes the rule output, not the fields, in the line', () => {
    const a = alertOf({ output: 'file=/tmp/a\nFAKE: Critical pwned \x1b[2J', fields: { 'fd.name': '/tmp/a\nFAKE' } });
    expect(alertLine(a, DEFAULT_RENDER)).toBe('12:34:56.123456789: Notice file=/tmp/a\\nFAKE: Critical pwned \\x1b[2J');
    expect(a.output_fields['fd.name']).toBe('/tmp/a\nFAKE');
  });

  it('appends a limiter note', () => {
    const s: Suppressed = { count: 41, text: ' (+41 similar alerts suppressed in the last 60 s)' };
    expect(alertLine(alertOf({ output: 'x', fields: {} }), DEFAULT_RENDER, s)).toBe('12:34:56.123456789: Notice x (+41 similar alerts suppressed in the last 60 s)');
  });
});

describe('alertJson', () => {
  const a = shell();
  const line = alertLine(a, DEFAULT_RENDER);

  it("has Falco's keys, in Falco's (alphabetical) order, output_fields sorted too", () => {
    const json = alertJson(a, DEFAULT_RENDER, line);
    expect(json).toBe(
      '{"hostname":"node-1",' +
        `"output":${JSON.stringify(line)},` +
        '"output_fields":{"container.name":"web","evt.num":9007199254740993,"evt.time":1714566896123456789,"proc.name":"bash","proc.pid":4242,"user.name":"root"},' +
        '"priority":"Notice","rule":"Terminal shell in container","source":"syscall",' +
        '"tags":["container","shell","mitre_execution"],' +
        '"time":"2024-05-01T12:34:56.123456789Z"}',
    );
  });

  it('prints bigints exactly, beyond what a double holds', () => {
    const json = alertJson(a, DEFAULT_RENDER, line);
    expect(json).toContain('"evt.time":1714566896123456789,');
    expect(json).toContain('"evt.num":9007199254740993,');
    // A double would have rounded both.
    expect(String(Number(TS))).not.toBe('1714566896123456789');
  });

  it.each<[string, Partial<RenderOptions>, string[]]>([
    ['defaults', {}, ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']],
    ['no output', { includeOutput: false }, ['hostname', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']],
    ['no tags', { includeTags: false }, ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'time']],
    ['with message', { includeMessage: true }, ['hostname', 'message', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']],
    ['message only', { includeMessage: true, includeOutput: false, includeTags: false }, ['hostname', 'message', 'output_fields', 'priority', 'rule', 'source', 'time']],
  ])('json_include_* flags: %s', (_what, flags, keys) => {
    const parsed = JSON.parse(alertJson(a, { ...DEFAULT_RENDER, ...flags }, line)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(keys);
    if (flags.includeMessage) expect(parsed['message']).toBe('A shell was spawned in a container (user=root shell=bash container=web)');
  });

  it('maps a field that is not available (<NA>) to null and keeps lists and booleans', () => {
    const b = alertOf({ output: 'x', fields: { 'container.image': undefined, 'proc.aname': ['bash', 'sshd'], 'fd.is_server': true } });
    const parsed = JSON.parse(alertJson(b, DEFAULT_RENDER, alertLine(b, DEFAULT_RENDER))) as { output_fields: Record<string, unknown> };
    expect(parsed.output_fields).toEqual({ 'container.image': null, 'evt.time': Number(TS), 'fd.is_server': true, 'proc.aname': ['bash', 'sshd'] });
  });

  it('carries the ISO time in "output" with time_format_iso_8601', () => {
    const o = { ...DEFAULT_RENDER, iso8601: true };
    const parsed = JSON.parse(new Rendered(a, o).json) as { output: string; time: string };
    expect(parsed.output.startsWith('2024-05-01T12:34:56.123456789Z: Notice ')).toBe(true);
    expect(parsed.time).toBe('2024-05-01T12:34:56.123456789Z');
  });

  it('has empty output_fields for an alert without fields', () => {
    const b = internalAlert('r', 'ERROR', 'm', {}, 'h');
    expect(alertJson(b, DEFAULT_RENDER, 'line')).toContain('"output_fields":{},');
  });
});

describe('Rendered', () => {
  it('builds each form from the alert and the options', () => {
    const a = shell();
    const o = { ...DEFAULT_RENDER, includeTags: false };
    const r = new Rendered(a, o);
    expect(r.text).toBe(alertLine(a, o));
    expect(r.json).toBe(alertJson(a, o, alertLine(a, o)));
    expect(r.text).toBe(r.text);
  });

  it('with(suppressed) adds the note to the text and falconet.suppressed to output_fields, leaving the original as it was', () => {
    const a = shell();
    const r = new Rendered(a, DEFAULT_RENDER);
    const plain = { text: r.text, json: r.json };
    const s = r.with({ count: 3, text: ' (+3 alerts over the rate limit suppressed in the last 2 s)' });
    expect(s.alert).toBe(a);
    expect(s.text).toBe(`${plain.text} (+3 alerts over the rate limit suppressed in the last 2 s)`);
    const parsed = JSON.parse(s.json) as { output: string; output_fields: Record<string, unknown> };
    expect(parsed.output).toBe(s.text);
    expect(parsed.output_fields['falconet.suppressed']).toBe(3);
    expect(Object.keys(parsed.output_fields)).toEqual(['container.name', 'evt.num', 'evt.time', 'falconet.suppressed', 'proc.name', 'proc.pid', 'user.name']);
    expect({ text: r.text, json: r.json }).toEqual(plain);
    expect(JSON.parse(r.json).output_fields).not.toHaveProperty('falconet.suppressed');
  });
});

// Strings an attacker may put in a file name, a command line or an env value: any UTF-16 code unit
// (lone surrogates too), controls, quotes and backslashes.
const hostileChar = fc.oneof(
  fc.constantFrom('\n', '\r', '\t', '\0', '\x1b', '\x7f', '\u0085', '\u009b', '\u2028', '\u202e', '\udcff', '\ud800', '"', '\\', '</', '{', '}'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const hostile = fc.string({ unit: hostileChar, maxLength: 24 });
const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  hostile,
  fc.array(hostile, { maxLength: 3 }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.boolean(),
  fc.constant(undefined),
);

describe('rendering hostile values', () => {
  it('gives JSON that parses and round-trips every value, and a text line without newline or ESC', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: hostileChar, minLength: 1, maxLength: 8 }), fieldValue, { maxKeys: 6 }),
        hostile,
        hostile,
        hostile,
        fc.array(hostile, { maxLength: 3 }),
        fc.record({ iso8601: fc.boolean(), includeOutput: fc.boolean(), includeTags: fc.boolean(), includeMessage: fc.boolean() }),
        (fields, output, rule, hostname, tags, o) => {
          delete fields['evt.time'];
          const a = alertOf({ output, fields, rule, hostname, tags });
          const r = new Rendered(a, o);
          expect(r.text.includes('\n')).toBe(false);
          expect(r.text.includes('\r')).toBe(false);
          expect(r.text.includes('\x1b')).toBe(false);
          expect(r.text.includes('\u2028')).toBe(false);

          const json = r.json;
          expect(json.includes('\n')).toBe(false);
          const parsed = JSON.parse(json) as Record<string, unknown> & { output_fields: Record<string, unknown> };
          expect(parsed['hostname']).toBe(hostname);
          expect(parsed['rule']).toBe(rule);
          expect(parsed['time']).toBe('2024-05-01T12:34:56.123456789Z');
          if (o.includeOutput) expect(parsed['output']).toBe(r.text);
          if (o.includeTags) expect(parsed['tags']).toEqual(tags);
          if (o.includeMessage) expect(parsed['message']).toBe(a.message);

          expect(Object.keys(parsed.output_fields).sort()).toEqual([...Object.keys(fields), 'evt.time'].sort());
          for (const [k, v] of Object.entries(fields)) {
            const got = parsed.output_fields[k];
            if (typeof v === 'bigint') {
              // A number in JSON text: exact as text, rounded once parsed.
              expect(json).toContain(jsonSafe(`${JSON.stringify(k)}:${v.toString()}`));
              expect(got).toBe(Number(v));
            } else {
              expect(got).toEqual(v === undefined ? null : v);
            }
          }
          expect(json).toContain(`"evt.time":${TS.toString()}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('slack payload', () => {
  const PRIORITY_COLOURS: [Priority, string, string][] = [
    ['EMERGENCY', 'Emergency', '#8b0000'],
    ['ALERT', 'Alert', '#b30000'],
    ['CRITICAL', 'Critical', '#e01e5a'],
    ['ERROR', 'Error', '#e8590c'],
    ['WARNING', 'Warning', '#ecb22e'],
    ['NOTICE', 'Notice', '#2eb6c8'],
    ['INFORMATIONAL', 'Informational', '#439fe0'],
    ['DEBUG', 'Debug', '#a0a0a0'],
  ];

  interface SlackField {
    title: string;
    value: string;
    short: boolean;
  }
  interface SlackMessage {
    text: string;
    attachments: { fallback: string; color: string; text: string; fields: SlackField[]; footer: string; ts: number }[];
  }
  const slackOf = (a: Alert, o: RenderOptions = DEFAULT_RENDER) => JSON.parse(new Rendered(a, o).slack) as SlackMessage;

  it.each(PRIORITY_COLOURS)('colours %s (%s) as %s', (priority, label, colour) => {
    const m = slackOf(alertOf({ output: 'x', fields: {}, priority }));
    expect(m.attachments[0]!.color).toBe(colour);
    expect(m.text).toBe(`${label}: Terminal shell in container`);
    expect(m.attachments[0]!.fields.slice(0, 2)).toEqual([
      { title: 'rule', value: 'Terminal shell in container', short: true },
      { title: 'priority', value: label, short: true },
    ]);
  });

  it('picks container, image, pod, namespace, process and user from output_fields, in that order', () => {
    const a = alertOf({
      output: 'A shell',
      fields: {
        'user.name': 'root',
        'proc.cmdline': 'bash -i',
        'proc.name': 'bash',
        'k8s.ns.name': 'prod',
        'k8s.pod.name': 'web-7d9',
        'container.image.repository': 'nginx',
        'container.image.tag': '1.25',
        'container.id': 'abc123',
        'container.name': 'web',
      },
    });
    const m = slackOf(a);
    expect(m.attachments[0]!.fields.slice(2)).toEqual([
      { title: 'container', value: 'web', short: true },
      { title: 'image', value: 'nginx:1.25', short: true },
      { title: 'pod', value: 'web-7d9', short: true },
      { title: 'namespace', value: 'prod', short: true },
      { title: 'process', value: 'bash -i', short: false },
      { title: 'user', value: 'root', short: true },
    ]);
    expect(m.attachments[0]!.text).toBe(new Rendered(a, DEFAULT_RENDER).text);
    expect(m.attachments[0]!.footer).toBe('falconet on node-1');
    expect(m.attachments[0]!.ts).toBe(1_714_566_896);
  });

  it('falls back to the second key and skips fields that are missing, null or empty', () => {
    const m = slackOf(alertOf({ output: 'x', fields: { 'container.name': '', 'container.id': 'abc123', 'k8s.pod.name': undefined, 'proc.name': 'sh', 'user.name': '', 'container.image': 'busybox:1', 'container.image.tag': '2' } }));
    expect(m.attachments[0]!.fields.slice(2)).toEqual([
      { title: 'container', value: 'abc123', short: true },
      // The image already names its tag.
      { title: 'image', value: 'busybox:1', short: true },
      { title: 'process', value: 'sh', short: false },
    ]);
  });

  it('escapes <, > and & in every value so Slack reads no mention or link', () => {
    const a = alertOf({
      rule: 'R <!here> & co',
      hostname: 'h<!channel>',
      output: 'cmd=<!channel> <http://x|y> a&b',
      fields: { 'proc.cmdline': 'curl <http://evil|click> && <!channel>', 'container.name': '<@U123>', 'user.name': 'a&amp;b' },
    });
    const raw = new Rendered(a, DEFAULT_RENDER).slack;
    const m = JSON.parse(raw) as SlackMessage;
    expect(m.text).toBe('Notice: R &lt;!here&gt; &amp; co');
    const byTitle = Object.fromEntries(m.attachments[0]!.fields.map((f) => [f.title, f.value]));
    expect(byTitle).toEqual({
      rule: 'R &lt;!here&gt; &amp; co',
      priority: 'Notice',
      container: '&lt;@U123&gt;',
      process: 'curl &lt;http://evil|click&gt; &amp;&amp; &lt;!channel&gt;',
      user: 'a&amp;amp;b',
    });
    expect(m.attachments[0]!.text).toBe('12:34:56.123456789: Notice cmd=&lt;!channel&gt; &lt;http://x|y&gt; a&amp;b');
    expect(m.attachments[0]!.fallback).toBe(m.attachments[0]!.text);
    expect(m.attachments[0]!.footer).toBe('falconet on h&lt;!channel&gt;');
    expect(raw.includes('<')).toBe(false);
    expect(raw.includes('>')).toBe(false);
  });

  it('is valid JSON for hostile values, with no < or > left in any string', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (output, cmdline, rule) => {
        const raw = new Rendered(alertOf({ output, rule, fields: { 'proc.cmdline': cmdline } }), DEFAULT_RENDER).slack;
        const m = JSON.parse(raw) as SlackMessage;
        const strings = [m.text, m.attachments[0]!.text, ...m.attachments[0]!.fields.map((f) => f.value)];
        for (const s of strings) expect(/[<>]/.test(s)).toBe(false);
        expect(m.attachments[0]!.fields.find((f) => f.title === 'process')?.value).toBe(
          cmdline === '' ? undefined : cmdline.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
        );
      }),
      { numRuns: 300 },
    );
  });
});
