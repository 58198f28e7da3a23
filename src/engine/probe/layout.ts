// The record layout of native/probe/events.h, restated for the decoder. test/e2e/probe-layout.test.ts
// compares every constant here with the values the addon computes from the header itself.

export const LAYOUT = {
  hdrSize: 80,
  offTs: 0,
  offLen: 8,
  offType: 12,
  offNparams: 14,
  offTid: 16,
  offPid: 20,
  offPpid: 24,
  offUid: 28,
  offGid: 32,
  offLoginuid: 36,
  offComm: 40,
  commLen: 16,
  offCgroupId: 56,
  offRes: 64,
  offFlags: 72,
  maxParams: 16,
  recMax: 16384,
  pathMax: 4096,
  argvMax: 4096,
  sockaddrMax: 112,
  flagTruncated: 1,
} as const;

export type Layout = { readonly [K in keyof typeof LAYOUT]: number };

/** Address families as they appear in a raw struct sockaddr. */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
