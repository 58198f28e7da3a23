import { describe, expect, it } from 'vitest';
import { IpSet, parseIPv4, parseIPv6, parseNet } from './ipset.js';

describe('ipset', () => {
  it('parses addresses', () => {
    expect(parseIPv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.0', '10.0.0.256', '1.2.3.4.5', 'a.b.c.d', '', '1..2.3']) expect(parseIPv4(bad)).toBe(-1);
    expect(parseIPv6('::1')).toBe(1n);
    expect(parseIPv6('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(parseIPv6('2001:db8::1')).toBe((0x20010db8n << 96n) | 1n);
    expect(parseIPv6('1:2:3:4:5:6:7')).toBeUndefined();
    expect(parseNet('10.0.0.0/33')).toBeUndefined();
  });

  it('matches hosts and networks of both families', () => {
    const set = new IpSet(['10.0.0.0/8', '192.168.1.7', 'fd00::/8'].map((t) => parseNet(t)!));
    expect(set.has('10.200.3.4')).toBe(true);
    expect(set.has('11.0.0.1')).toBe(false);
    expect(set.has('192.168.1.7')).toBe(true);
    expect(set.has('192.168.1.8')).toBe(false);
    expect(set.has('fd12::5')).toBe(true);
    expect(set.has('fe80::1')).toBe(false);
    expect(set.has(undefined)).toBe(false);
    expect(new IpSet([parseNet('0.0.0.0/0')!]).has('8.8.8.8')).toBe(true);
  });
});
