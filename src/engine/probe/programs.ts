// Which BPF programs (native/probe/probe.bpf.c) serve which event types. Only the programs the
// loaded rules need are loaded and attached; the rest of the syscalls never meet the probe.
// A syscall program whose own tracepoint this kernel lacks is still served, by r_sys_exit on
// raw_syscalls:sys_exit (the addon decides that at attach, and reports only what neither can serve
// as unavailable); r_sys_exit also serves ia32 syscalls when asked, except those below.

/** Event types served by a hook other than the syscall's own sys_exit tracepoint (`x_<name>`). */
const SHARED_HOOKS: Readonly<Record<string, readonly string[]>> = {
  execve: ['t_exec', 'x_execve'], // t_exec: successful execs; x_execve: failed ones
  execveat: ['t_exec', 'n_execveat', 'x_execveat'],
  clone: ['t_fork'],
  clone3: ['t_fork'],
  fork: ['t_fork'],
  vfork: ['t_fork'],
  procexit: ['t_exit'],
  umount2: ['x_umount'], // the kernel names umount2's tracepoint after the umount SYSCALL_DEFINE
  cgroup: [], // sent by every program, ahead of the first record of a cgroup it has not told yet
};

export function programsOf(eventType: string): readonly string[] {
  return SHARED_HOOKS[eventType] ?? [`x_${eventType}`];
}

/** events.h's syscall table as the addon reports it (syscallTable()). */
export interface SyscallNumbers {
  name: string;
  nr64: number;
  nr32: number;
}

/**
 * With ia32 capture on: the requested types whose ia32 calls still go unseen, because their syscall
 * program has no ia32 syscall it reads right (events.h: accept exists only behind socketcall,
 * sendmsg and recvmsg take a compat msghdr of another layout).
 */
export function ia32Uncovered(eventTypes: readonly string[], table: readonly SyscallNumbers[]): string[] {
  const nr32 = new Map(table.map((t) => [`x_${t.name}`, t.nr32]));
  return [...new Set(eventTypes)].filter((t) => programsOf(t).some((p) => nr32.get(p) === -1));
}

export interface ProgramPlan {
  programs: string[];
  typeIds: number[];
  /** Requested types the probe cannot emit (known to schema.ts, not in events.h). */
  unsupported: string[];
}

/** `emitted` is the addon's eventTypes(): the types events.h declares, with their wire ids. */
export function planPrograms(eventTypes: readonly string[], emitted: readonly { name: string; id: number }[]): ProgramPlan {
  const ids = new Map(emitted.map((t) => [t.name, t.id]));
  const programs = new Set<string>();
  const typeIds: number[] = [];
  const unsupported: string[] = [];
  for (const type of new Set(eventTypes)) {
    const id = ids.get(type);
    if (id === undefined) {
      unsupported.push(type);
      continue;
    }
    typeIds.push(id);
    for (const prog of programsOf(type)) programs.add(prog);
  }
  return { programs: [...programs], typeIds, unsupported };
}
