// Why the probe could not start (or stopped working), in words a user can act on. `code` is stable for programs.

export type ProbeErrorCode =
  | 'ENOBTF' // the kernel exposes no BTF (/sys/kernel/btf/vmlinux)
  | 'EPERM' // not root / missing CAP_BPF, CAP_PERFMON
  | 'EVERIFIER' // the kernel rejected a program; logPath holds the verifier log
  | 'EATTACH' // a program loaded but could not be attached
  | 'ENOADDON' // the native addon is not built
  | 'EUNKNOWNTYPE' // an event type schema.ts does not know
  | 'EBADOPTION'
  | 'EOPEN'
  | 'ERINGBUF'
  | 'EPOLL' // the ring buffer could not be polled any more: the probe delivers nothing
  | 'EUNKNOWNPROG';

export class ProbeError extends Error {
  readonly code: ProbeErrorCode;
  /** The file holding libbpf's log (and the verifier log) when the kernel refused the probe. */
  readonly logPath?: string;

  constructor(code: ProbeErrorCode, message: string, logPath?: string) {
    super(message);
    this.name = 'ProbeError';
    this.code = code;
    this.logPath = logPath;
  }
}
