import { describe, expect, it } from 'vitest';
import { ia32Uncovered, planPrograms, programsOf } from './programs.js';

const EMITTED = [
  { name: 'execve', id: 1 },
  { name: 'clone', id: 3 },
  { name: 'fork', id: 5 },
  { name: 'openat', id: 9 },
  { name: 'umount2', id: 46 },
];

describe('planPrograms', () => {
  it('attaches only what the requested types need, shared hooks once', () => {
    const plan = planPrograms(['openat', 'clone', 'fork', 'openat'], EMITTED);
    expect(plan.programs.sort()).toEqual(['t_fork', 'x_openat']);
    expect(plan.typeIds.sort()).toEqual([3, 5, 9]);
    expect(plan.unsupported).toEqual([]);
  });

  it('lists types the probe does not emit as unsupported', () => {
    expect(planPrograms(['read', 'execve'], EMITTED)).toEqual({ programs: ['t_exec', 'x_execve'], typeIds: [1], unsupported: ['read'] });
  });

  it('maps syscalls whose tracepoint has another name', () => {
    expect(programsOf('umount2')).toEqual(['x_umount']);
    expect(programsOf('procexit')).toEqual(['t_exit']);
  });
});

describe('ia32Uncovered', () => {
  const TABLE = [
    { name: 'openat', nr64: 257, nr32: 295 },
    { name: 'accept', nr64: 43, nr32: -1 },
    { name: 'sendmsg', nr64: 46, nr32: -1 },
    { name: 'execve', nr64: 59, nr32: 11 },
  ];
  it.each([
    { types: ['openat', 'execve'], uncovered: [] },
    { types: ['accept', 'openat', 'sendmsg', 'accept'], uncovered: ['accept', 'sendmsg'] },
    // served by scheduler tracepoints, which fire for ia32 tasks too: never listed
    { types: ['clone', 'procexit'], uncovered: [] },
  ])('$types -> $uncovered', ({ types, uncovered }) => {
    expect(ia32Uncovered(types, TABLE)).toEqual(uncovered);
  });
});
