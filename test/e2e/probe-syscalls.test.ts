// The memory, fd, capability and cross-process syscalls against the real kernel (root): a perl child
// makes each call through syscall(2) with known arguments; each must arrive decoded. read and write
// are requested here too, so records are kept only for perl processes (the host reads and writes a
// lot while the test runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/engine/event.js';
import { decodeBatch, openProbe, probeUnavailableReason, type Probe } from '../../src/engine/probe/index.js';
import { runChild } from './env.js';

const why = probeUnavailableReason();

const TYPES = [
  'fcntl', 'read', 'write', 'seccomp', 'mprotect', 'mmap', 'capset', 'userfaultfd', 'pidfd_getfd', 'pidfd_open',
  'process_vm_writev', 'process_vm_readv', 'io_uring_setup',
];

// x86-64 syscall numbers. Calls that fail on purpose (a bad fd, an invalid op) still arrive, with
// the errno as their result: rules look at both.
const PERL = `
my $buf = "\\0" x 16;
syscall(72, 0, 1030, 40);                      # fcntl(0, F_DUPFD_CLOEXEC, 40): a new fd >= 40
syscall(0, 999, $buf, 16);                     # read on a closed fd: EBADF, size 16 asked
my $w = "abcde";
syscall(1, 999, $w, 5);                        # write on a closed fd: EBADF, size 5 asked
my $addr = syscall(9, 0, 8192, 3, 0x22, -1, 0); # mmap(NULL, 8192, RW, PRIVATE|ANON, -1, 0)
syscall(10, $addr, 4096, 1);                   # mprotect(addr, 4096, PROT_READ)
syscall(317, 99, 0, 0);                        # seccomp with an op that does not exist: EINVAL
my $uffd = syscall(323, 0x80000);              # userfaultfd(O_CLOEXEC)
my $pid = $$ + 0;
my $pidfd = syscall(434, $pid, 0);             # pidfd_open(self)
syscall(438, $pidfd, 0, 0);                    # pidfd_getfd(pidfd, 0, 0)
syscall(310, $pid, 0, 0, 0, 0, 0);               # process_vm_readv(self, nothing)
syscall(311, $pid, 0, 0, 0, 0, 0);               # process_vm_writev(self, nothing)
syscall(425, 0, $buf);                         # io_uring_setup(0 entries): EINVAL
my $hdr = pack("LL", 0x20080522, 0);           # _LINUX_CAPABILITY_VERSION_3, this process
my $caps = "\\0" x 24;
syscall(125, $hdr, $caps) == 0 or die "capget";
syscall(126, $hdr, $caps) == 0 or die "capset"; # set what it has: allowed, changes nothing
print join(",", unpack("L6", $caps)), "\\n";
`;

describe('kernel probe, memory, fd, capability and cross-process syscalls (e2e)', () => {
  let probe: Probe;
  const records: RawRecord[] = [];
  let pid = 0;

  const one = (type: string, pred: (r: RawRecord) => boolean = () => true): RawRecord | undefined =>
    records.find((r) => r.pid === pid && r.type === type && pred(r));

  beforeAll(async () => {
    if (why) throw new Error(`the kernel probe cannot load: ${why}`);
    const all: RawRecord[] = [];
    probe = openProbe({
      eventTypes: TYPES,
      onBatch: (buf) => {
        all.length = 0;
        for (const r of decodeBatch(buf, probe.bootToEpochNs, all)) if (r.comm === 'perl') records.push(r);
      },
    });
    pid = await runChild('perl', ['-e', PERL]);
    await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(() => probe?.stop());

  it('fcntl F_DUPFD_CLOEXEC with the fd, the command and the new fd', () => {
    const r = one('fcntl', (x) => x.args.cmd === 1030);
    expect(r).toMatchObject({ args: { fd: 0 } });
    expect(r!.res).toBeGreaterThanOrEqual(40);
  });

  it('read and write with the fd and the size asked for when they fail', () => {
    expect(one('read', (x) => x.args.fd === 999)).toMatchObject({ res: -9, args: { size: 16 } });
    expect(one('write', (x) => x.args.fd === 999)).toMatchObject({ res: -9, args: { size: 5 } });
  });

  it('mmap and mprotect with length, protection and flags', () => {
    // perl and ld.so map and protect memory too (RELRO is an mprotect to PROT_READ): the test's pair is
    // the anonymous 8192-byte mapping whose address a later mprotect of 4096 bytes to PROT_READ got
    const all = (type: string) => records.filter((r) => r.pid === pid && r.type === type);
    const protects = all('mprotect').filter((x) => x.args.length === 4096 && x.args.prot === 1 && x.res === 0);
    const maps = all('mmap').filter((x) => x.args.length === 8192 && x.args.flags === 0x22);
    const pair = maps.find((m) => protects.some((p) => p.args.addr === m.res));
    expect(pair?.args).toEqual({ addr: 0, length: 8192, prot: 3, flags: 0x22, fd: -1 });
  });

  it('seccomp and io_uring_setup with their arguments and errno', () => {
    expect(one('seccomp')).toMatchObject({ res: -22, args: { op: 99, flags: 0 } });
    expect(one('io_uring_setup')).toMatchObject({ res: -22, args: { entries: 0 } });
  });

  it('userfaultfd with its flags and the new fd', () => {
    const r = one('userfaultfd');
    expect(r?.args.flags).toBe(0x80000);
    expect(r!.res).toBeGreaterThanOrEqual(0);
  });

  it('pidfd_open and pidfd_getfd on itself', () => {
    const open = one('pidfd_open');
    expect(open).toMatchObject({ args: { pid, flags: 0 } });
    expect(open!.res).toBeGreaterThanOrEqual(0);
    const get = one('pidfd_getfd');
    expect(get).toMatchObject({ args: { pidfd: open!.res, targetfd: 0, flags: 0 } });
    expect(get!.res).toBeGreaterThanOrEqual(0);
  });

  it('process_vm_readv and process_vm_writev with the target pid', () => {
    expect(one('process_vm_readv')).toMatchObject({ res: 0, args: { pid } });
    expect(one('process_vm_writev')).toMatchObject({ res: 0, args: { pid } });
  });

  it('capset with the capability sets being set, as 64-bit masks', () => {
    const r = one('capset');
    expect(r?.res).toBe(0);
    // root's full set: every bit up to CAP_LAST_CAP in effective and permitted
    const eff = BigInt(r!.args.cap_effective as number | bigint);
    expect(eff & 1n).toBe(1n); // CAP_CHOWN
    expect(eff >> 21n & 1n).toBe(1n); // CAP_SYS_ADMIN
    expect(r!.args.cap_permitted).toEqual(r!.args.cap_effective);
  });
});
