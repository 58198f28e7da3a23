import { describe, expect, it } from 'vitest';
import { globToRegExp } from './glob.js';
import { FLAG_SETS, renderCaps, renderEnum, renderFlags, renderMode, renderRes } from './render.js';
import { formatDateTime, formatIso8601, formatTime } from './time.js';

describe('render', () => {
  it.each([
    ['open', 0, 'O_RDONLY'],
    ['open', 0o2000000, 'O_RDONLY|O_CLOEXEC'],
    ['open', 0o1101, 'O_TRUNC|O_CREAT|O_WRONLY'],
    ['open', 0o102, 'O_CREAT|O_RDWR'],
    ['clone', 0x80000000 + 0x100, 'CLONE_VM|CLONE_IO'],
    ['prot', 0, 'PROT_NONE'],
    ['prot', 5, 'PROT_READ|PROT_EXEC'],
    ['socket_type', 0o2000003, 'SOCK_RAW|SOCK_CLOEXEC'],
    ['unlinkat', 0, '0'],
    ['unlinkat', 0x200, 'AT_REMOVEDIR'],
    ['memfd', 3, 'MFD_CLOEXEC|MFD_ALLOW_SEALING'],
  ] as const)('flags %s %d → %s', (set, raw, text) => {
    expect(renderFlags(FLAG_SETS[set], raw)).toBe(text);
  });

  it('renders enums, errnos, modes and capabilities', () => {
    expect(renderEnum('ptrace', 16)).toBe('PTRACE_ATTACH');
    expect(renderEnum('ptrace', 0x4206)).toBe('PTRACE_SEIZE');
    expect(renderEnum('socket_family', 17)).toBe('AF_PACKET');
    expect(renderEnum('bpf_cmd', 5)).toBe('BPF_PROG_LOAD');
    expect(renderEnum('ptrace', 9999)).toBe('9999');
    expect(renderRes(0)).toBe('SUCCESS');
    expect(renderRes(-1)).toBe('EPERM');
    expect(renderRes(-2)).toBe('ENOENT');
    expect(renderRes(-13)).toBe('EACCES');
    expect(renderRes(-115)).toBe('EINPROGRESS');
    expect(renderRes(-512)).toBe('-512');
    expect(renderMode(0o6000)).toBe('S_ISGID|S_ISUID');
    expect(renderCaps((1n << 16n) | (1n << 39n))).toBe('CAP_SYS_MODULE CAP_BPF');
    expect(renderCaps(0n)).toBe('');
  });

  it('formats timestamps in UTC with nanoseconds', () => {
    const ts = 1_700_000_005_000_000_042n;
    expect(formatTime(ts)).toBe('22:13:25.000000042');
    expect(formatIso8601(ts)).toBe('2023-11-14T22:13:25.000000042Z');
    expect(formatDateTime(ts)).toBe('2023-11-14 22:13:25.000000042');
  });
});

describe('glob', () => {
  it.each([
    ['/home/*/.ssh/*', '/home/a/.ssh/id', true],
    ['/home/*/.ssh/*', '/home/a/b/.ssh/id', true],
    ['*../*../*', '/x/../../etc', true],
    ['/etc/?asswd', '/etc/passwd', true],
    ['/etc/[!p]asswd', '/etc/passwd', false],
    ['/etc/[a-q]asswd', '/etc/passwd', true],
    ['a.b', 'aXb', false],
    ['[', '[', true],
  ])('%s ~ %s = %s', (pattern, text, ok) => {
    expect(globToRegExp(pattern).test(text)).toBe(ok);
  });
});
