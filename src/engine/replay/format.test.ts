import { describe, expect, it } from 'vitest';
import { encodeLine, parseLine } from './format.js';

describe('event file format', () => {
  it('round-trips an event with bigints, argv and an address', () => {
    const line = parseLine(
      '{"kind":"event","ts":"1700000000123456789","type":"connect","tid":5,"pid":5,"ppid":1,"uid":0,"gid":0,"loginuid":1000,"comm":"curl","cgroupId":"77","res":0,"args":{"fd":3,"addr":{"family":"ipv4","ip":"127.0.0.1","port":80}}}',
    );
    expect(line).toMatchObject({ kind: 'event', record: { ts: 1700000000123456789n, cgroupId: 77n, args: { addr: { port: 80 } } } });
    expect(parseLine(encodeLine(line))).toEqual(line);
  });

  it('round-trips an address of a family the decoder does not name (netlink), as capture writes it', () => {
    const line = parseLine(
      '{"kind":"event","ts":"1","type":"bind","tid":5,"pid":5,"ppid":1,"uid":0,"gid":0,"loginuid":0,"comm":"http","cgroupId":"1","res":0,"args":{"fd":3,"addr":{"family":"unknown","raw":16}}}',
    );
    expect(line).toMatchObject({ kind: 'event', record: { args: { addr: { family: 'unknown', raw: 16 } } } });
    expect(parseLine(encodeLine(line))).toEqual(line);
  });

  it('fills defaults for hand-written events', () => {
    const line = parseLine('{"ts":1,"type":"execve","tid":9,"args":{"args":["sh","-c","id"]}}');
    expect(line).toMatchObject({ kind: 'event', record: { pid: 9, ppid: 0, loginuid: 4294967295, res: 0 } });
  });

  it.each([
    ['{"kind":"event","type":"open","tid":1}', /"ts" must be an integer/],
    ['not json', /not JSON/],
    ['[1]', /must be a JSON object/],
    ['{"kind":"bogus"}', /unknown "kind" "bogus"/],
    ['{"ts":1,"type":"x","tid":1,"args":{"a":{"b":1}}}', /argument "a"/],
  ])('rejects %s', (text, msg) => {
    expect(() => parseLine(text)).toThrow(msg);
  });

  it('reads a container with its image split into repository and tag', () => {
    expect(parseLine('{"kind":"container","id":"3f2a9c81d2e4","name":"web","image":"registry:5000/nginx:1.25"}')).toMatchObject({
      container: { imageRepository: 'registry:5000/nginx', imageTag: '1.25' },
    });
  });
});

describe('raw lines', () => {
  it('round-trip a header with its boot offset and layout, a cgroup and a batch', () => {
    const header = encodeLine({ kind: 'header', version: 1, bootToEpochNs: 1700000000123456789n, layout: { hdrSize: 80, eventTypes: ['unknown'] } });
    expect(header).toContain('"bootToEpochNs":"1700000000123456789"');
    expect(parseLine(header)).toMatchObject({ bootToEpochNs: 1700000000123456789n, layout: { hdrSize: 80, eventTypes: ['unknown'] } });
    const cgroup = encodeLine({ kind: 'cgroup', id: 2n ** 63n, path: '/docker/abc' });
    expect(parseLine(cgroup)).toEqual({ kind: 'cgroup', id: 2n ** 63n, path: '/docker/abc' });
    const data = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    const batch = encodeLine({ kind: 'batch', data });
    expect(JSON.parse(batch)).toEqual({ kind: 'batch', data: data.toString('base64') });
    expect(parseLine(batch)).toEqual({ kind: 'batch', data });
    const stepped = encodeLine({ kind: 'batch', data, bootToEpochNs: 123n });
    expect(JSON.parse(stepped)).toEqual({ kind: 'batch', bootToEpochNs: '123', data: data.toString('base64') });
    expect(parseLine(stepped)).toEqual({ kind: 'batch', data, bootToEpochNs: 123n });
  });

  it.each([
    ['{"kind":"batch","data":"AAE"}', /"data" must be base64/],
    ['{"kind":"batch","data":"AA#A"}', /"data" must be base64/],
    ['{"kind":"batch"}', /"data" must be a string/],
    ['{"kind":"cgroup","id":"x","path":"/"}', /"id" must be an integer/],
    ['{"kind":"header","layout":[]}', /"layout" must be an object/],
  ])('rejects %s', (text, msg) => {
    expect(() => parseLine(text)).toThrow(msg);
  });

  it('writes an event whose fields are getters (a spread would lose them)', () => {
    class Lazy {
      get ts(): bigint {
        return 5n;
      }
      type = 'close';
      tid = 1;
      pid = 1;
      ppid = 0;
      uid = 0;
      gid = 0;
      loginuid = 0;
      comm = 'x';
      cgroupId = 0n;
      res = 0;
      args = { fd: 3 };
    }
    expect(JSON.parse(encodeLine({ kind: 'event', record: new Lazy() }))).toMatchObject({ kind: 'event', ts: '5', type: 'close', args: { fd: 3 } });
  });
});
