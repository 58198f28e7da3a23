import { describe, expect, it } from 'vitest';
import { parseTimestampNs, splitImage } from './image.js';

describe('splitImage', () => {
  it.each([
    ['busybox', { repository: 'busybox', tag: 'latest', digest: '' }],
    ['falconet-busybox:test', { repository: 'falconet-busybox', tag: 'test', digest: '' }],
    ['docker.io/library/nginx:1.27', { repository: 'docker.io/library/nginx', tag: '1.27', digest: '' }],
    ['registry:5000/team/app', { repository: 'registry:5000/team/app', tag: 'latest', digest: '' }],
    ['registry:5000/team/app:2', { repository: 'registry:5000/team/app', tag: '2', digest: '' }],
    ['app@sha256:abcd', { repository: 'app', tag: '', digest: 'sha256:abcd' }],
    ['app:1@sha256:abcd', { repository: 'app', tag: '1', digest: 'sha256:abcd' }],
    ['', { repository: '', tag: '', digest: '' }],
  ])('%s', (image, want) => {
    expect(splitImage(image)).toEqual(want);
  });
});

describe('parseTimestampNs', () => {
  it('keeps nanoseconds and the zone', () => {
    expect(parseTimestampNs('2026-12-01T19:10:27.123456789Z')).toBe(1_796_152_227_123_456_789n);
    expect(parseTimestampNs('2026-12-01T20:10:27.5+01:00')).toBe(1_796_152_227_500_000_000n);
  });
  it('reads "never" and garbage as unknown', () => {
    expect(parseTimestampNs('0001-01-01T00:00:00Z')).toBe(0n);
    expect(parseTimestampNs('yesterday')).toBe(0n);
  });
});
