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
