import { describe, expect, it } from 'vitest';
import { context, event, fileFd, thread } from '../../engine/fields/fixtures.js';
import { fieldRegistry } from '../../engine/fields/index.js';
import { compileOutput, parseTemplate } from './index.js';

const ctx = context();

function format(text: string, evt = event()) {
  const r = compileOutput(text, fieldRegistry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.format(evt, ctx);
}

describe('output templates', () => {
  it.each([
    ['Shell | user=%user.name process=%proc.name', 'Shell | user=root process=curl'],
    ['gparent=%proc.aname[2] ggparent=%proc.aname[3]', 'gparent=containerd-shim ggparent=systemd'],
    ['file=%fd.name', 'file=<NA>'],
    ['flags=%evt.arg.flags', 'flags=<NA>'],
    ['opened %proc.exepath.', 'opened /usr/bin/curl.'],
    ['100%% sure: %proc.name', '100% sure: curl'],
    ['up=%toupper(proc.name) base=%basename(proc.exepath)', 'up=CURL base=curl'],
    ['a %notafield b %', 'a %notafield b %'],
    ['tty=%proc.tty dur=%proc.duration priv=%container.privileged', 'tty=34816 dur=5123456789 priv=true'],
    ['anc=%proc.aname', 'anc=(bash,containerd-shim,systemd)'],
  ])('%s', (text, expected) => {
    expect(format(text).output).toBe(expected);
  });

  it('renders evt.arg flags from the schema', () => {
    const evt = event({ type: 'openat', res: 3, args: { fd: 3, dirfd: -100, name: '/etc/shadow', flags: 0o2000000 }, fd: fileFd('/etc/shadow') });
    expect(format('file=%fd.name flags=%evt.arg.flags', evt).output).toBe('file=/etc/shadow flags=O_RDONLY|O_CLOEXEC');
  });

  it('collects typed output fields by written key, undefined when not available', () => {
    const f = format('%proc.name %proc.aname[2] %user.uid %fd.name %evt.time %proc.name', event({ thread: thread() })).fields;
    expect(f).toEqual({
      'proc.name': 'curl',
      'proc.aname[2]': 'containerd-shim',
      'user.uid': 0,
      'fd.name': undefined,
      'evt.time': 1_700_000_005_123_456_789n,
    });
  });

  it('reports unknown fields and bad arguments at their offsets', () => {
    const text = 'x=%proc.nope y=%proc.aname[z]';
    const r = compileOutput(text, fieldRegistry);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, text.slice(e.span.start, e.span.end)])).toEqual([
      ['unknown-field', '%proc.nope'],
      ['bad-field-arg', '%proc.aname[z]'],
    ]);
  });

  it('parses references with their spans', () => {
    expect(parseTemplate('a %evt.arg.name b')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'field', field: { key: 'evt.arg.name', name: 'evt.arg.name', transformers: [], start: 2, end: 15 } },
      { kind: 'text', text: ' b' },
    ]);
  });
});
