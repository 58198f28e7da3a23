import { describe, expect, it } from 'vitest';
import { planPrograms, programsOf } from './programs.js';

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
