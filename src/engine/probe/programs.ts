// Which BPF programs (native/probe/probe.bpf.c) serve which event types. Only the programs the
// loaded rules need are loaded and attached; the rest of the syscalls never meet the probe.

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
