import { describe, expect, it } from 'vitest';
import { readableLines } from './logger.js';

describe('readable log lines (stderr on a terminal)', () => {
  it('puts time, level and message first, then the fields as key=value, values JSON-quoted', () => {
    const json = '{"level":40,"time":1796166000123,"pid":7,"hostname":"vm","name":"falconet","channel":"http","err":"ECONNREFUSED\\nx","retryInMs":200,"msg":"alert delivery failed; retrying"}\n';
    expect(readableLines(json)).toBe(`${new Date(1796166000123).toISOString().slice(11, 23)} WARN  alert delivery failed; retrying channel="http" err="ECONNREFUSED\\nx" retryInMs=200\n`);
  });

  it('keeps a line that is not JSON as it is, and reads several lines at once', () => {
    const out = readableLines('not json\n{"level":30,"time":0,"msg":"a","n":{"x":1}}\n');
    expect(out).toBe('not json\n00:00:00.000 INFO  a n={"x":1}\n');
  });
});
