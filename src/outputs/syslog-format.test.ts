import { describe, expect, it } from 'vitest';
import { FACILITIES, type Facility } from '../config/index.js';
import { octetCounted, rfc3164, rfc5424, syslogPri } from './syslog-format.js';

describe('syslogPri', () => {
  it.each<[Facility, string, number]>([
    ['kern', 'Emergency', 0],
    ['user', 'Warning', 12],
    ['user', 'Notice', 13],
    ['user', 'Debug', 15],
    ['daemon', 'Error', 27],
    ['auth', 'Alert', 33],
    ['authpriv', 'Critical', 82],
    ['local0', 'Informational', 134],
    ['local3', 'Critical', 154],
    ['local7', 'Debug', 191],
    // Not a priority label: Notice's severity.
    ['user', 'Bogus', 13],
  ])('%s + %s = %i', (facility, priority, pri) => {
    expect(syslogPri(facility, priority)).toBe(pri);
  });

  it('is facility * 8 + severity for every facility and priority', () => {
    const severities = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];
    const seen = new Set<number>();
    for (const [facility, code] of Object.entries(FACILITIES)) {
      severities.forEach((label, severity) => {
        const pri = syslogPri(facility as Facility, label);
        expect(pri).toBe(code * 8 + severity);
        seen.add(pri);
      });
    }
    expect(seen.size).toBe(Object.keys(FACILITIES).length * 8);
  });
});

describe('rfc3164', () => {
  it.each([
    [new Date(2024, 0, 5, 3, 4, 5), '<12>Jan  5 03:04:05 falconet[PID]: 03:04:05: Warning x'],
    [new Date(2024, 11, 25, 23, 59, 58), '<12>Dec 25 23:59:58 falconet[PID]: 03:04:05: Warning x'],
  ])('is "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" in local time (%s)', (at, expected) => {
    expect(rfc3164(12, 'falconet', '03:04:05: Warning x', at)).toBe(expected.replace('PID', String(process.pid)));
  });
});

describe('rfc5424', () => {
  const at = new Date(Date.UTC(2024, 4, 1, 12, 34, 56, 789));
  const parse = (m: string) => {
    const r = /^<(\d+)>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (-) \ufeff([\s\S]*)$/.exec(m);
    if (!r) throw new Error(`not RFC 5424: ${JSON.stringify(m)}`);
    const [, pri, version, time, host, app, procid, msgid, sd, msg] = r;
    return { pri, version, time, host, app, procid, msgid, sd, msg };
  };

  it('is "<PRI>1 ISO-TIME HOST APP PROCID MSGID - BOM MSG"', () => {
    const m = rfc5424(154, 'node-1.example.com', 'falconet', 'alert', '{"rule":"r é"}', at);
    expect(m).toBe(`<154>1 2024-05-01T12:34:56.789Z node-1.example.com falconet ${process.pid} alert - \ufeff{"rule":"r é"}`);
    expect(parse(m)).toEqual({
      pri: '154',
      version: '1',
      time: '2024-05-01T12:34:56.789Z',
      host: 'node-1.example.com',
      app: 'falconet',
      procid: String(process.pid),
      msgid: 'alert',
      sd: '-',
      msg: '{"rule":"r é"}',
    });
    // The BOM is the three bytes EF BB BF right before the message.
    const bytes = Buffer.from(m, 'utf8');
    const bom = bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(bom + 3).toString('utf8')).toBe('{"rule":"r é"}');
    expect(bytes.subarray(bom - 2, bom).toString()).toBe('- ');
  });

  it.each([
    ['spaces and controls', 'my host\n', 'app name', 'msg id', 'my_host_', 'app_name', 'msg_id'],
    ['non-ASCII', 'hôte', 'äpp', 'ïd', 'h_te', '_pp', '_d'],
    ['empty', '', '', '', '-', '-', '-'],
    ['too long', 'h'.repeat(300), 'a'.repeat(60), 'm'.repeat(40), 'h'.repeat(255), 'a'.repeat(48), 'm'.repeat(32)],
  ])('sanitises header tokens: %s', (_what, host, app, msgid, wantHost, wantApp, wantMsgid) => {
    const p = parse(rfc5424(13, host, app, msgid, 'x', at));
    expect({ host: p.host, app: p.app, msgid: p.msgid, msg: p.msg }).toEqual({ host: wantHost, app: wantApp, msgid: wantMsgid, msg: 'x' });
  });
});

describe('octetCounted', () => {
  it.each([
    ['ascii', 'hello', 5],
    ['empty', '', 0],
    ['two-byte letters', 'é', 2],
    ['three-byte BOM and CJK', '\ufeff日本', 9],
    ['four-byte emoji', '🐳', 4],
    ['a mix', '<13>1 - é🐳', 14],
  ])('counts bytes, not characters: %s', (_what, msg, bytes) => {
    const framed = octetCounted(msg);
    expect(framed.toString('utf8')).toBe(`${bytes} ${msg}`);
    const space = framed.indexOf(0x20);
    expect(Number(framed.subarray(0, space).toString())).toBe(framed.length - space - 1);
  });

  it('frames two messages so a reader can split them by length', () => {
    const stream = Buffer.concat(['é\nfake', '🐳 x'].map(octetCounted));
    const out: string[] = [];
    for (let at = 0; at < stream.length; ) {
      const space = stream.indexOf(0x20, at);
      const len = Number(stream.subarray(at, space).toString());
      out.push(stream.subarray(space + 1, space + 1 + len).toString('utf8'));
      at = space + 1 + len;
    }
    expect(out).toEqual(['é\nfake', '🐳 x']);
  });
});
