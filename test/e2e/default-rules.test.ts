// Every default rule that can fire on a plain host (no container), fired by a real action during one
// live `falconet run -r rules/default.yaml --json` session. Each action is a child process whose
// paths or arguments carry this worker's TAG, so alerts caused by anything else on the host (other
// test files run in parallel) are told apart, and each must produce exactly one alert. Everything the
// actions touch is created for them and removed afterwards. The container actions are in
// detection-container.test.ts.
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import { kernelTestsPossible } from './env.js';
import { exec, runSession, sessionTests, type Session, type Step } from './detection.js';

const why = kernelTestsPossible();

const TAG = `falconet-e2e-${process.pid}`;
const DIR = `/tmp/${TAG}`;
const BIN = `/usr/local/bin/${TAG}`;
const ETC = `/etc/${TAG}.conf`;
const LOG = `/var/log/${TAG}.log`;
const SHM = `/dev/shm/${TAG}-true`;
const HISTORY = `${DIR}/.bash_history`;
const ZSH_HISTORY = `${DIR}/.zsh_history`;
const LINK = `${DIR}/shadow-link`;
const SUID = `${DIR}/suid`;
const GONE = `${DIR}/gone`;

// Runs /bin/true from an anonymous memory file, through /proc/self/fd/N as fexecve-less loaders do.
const MEMFD_EXEC = `
import os, sys
fd = os.memfd_create(sys.argv[1], 0)  # no MFD_CLOEXEC: the fd must survive until the exec opens it
with open('/bin/true', 'rb') as exe:
    os.write(fd, exe.read())
os.execv(f'/proc/self/fd/{fd}', ['true'])
`;

// Seizes a sleeping child with ptrace (what a debugger or an injector does first), prints its pid, kills it.
const PTRACE_SEIZE = `
import ctypes, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
child = subprocess.Popen(['sleep', '30'])
try:
    if libc.ptrace(ctypes.c_long(0x4206), ctypes.c_long(child.pid), None, None) != 0:
        sys.exit('ptrace: ' + os.strerror(ctypes.get_errno()))
    print(child.pid, flush=True)
finally:
    child.kill()
    child.wait()
`;

// Reads 64 bytes of a forked child's memory with process_vm_readv (no ptrace): the child has the
// same address space layout, so the parent's buffer address is valid there.
const VM_READV = `
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]
secret = ctypes.create_string_buffer(b'a secret', 64)
pid = os.fork()
if pid == 0:
    time.sleep(30)
    os._exit(0)
try:
    out = ctypes.create_string_buffer(64)
    local = iovec(ctypes.cast(out, ctypes.c_void_p), 64)
    remote = iovec(ctypes.cast(secret, ctypes.c_void_p), 64)
    n = libc.process_vm_readv(pid, ctypes.byref(local), ctypes.c_ulong(1), ctypes.byref(remote), ctypes.c_ulong(1), ctypes.c_ulong(0))
    if n != 64:
        sys.exit('process_vm_readv: ' + os.strerror(ctypes.get_errno()))
finally:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
`;

/** A host action: it must exit 0 (grep: 1, no line found, is fine too). */
async function act(cmd: string, ...args: string[]): Promise<void> {
  const r = await exec(cmd, args, 20_000);
  if (r.code !== 0 && !(cmd === 'grep' && r.code === 1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
}

const onHost = { 'container.id': 'host' };

const STEPS: Step[] = [
  {
    what: 'touch a new file in /usr/local/bin',
    run: () => act('touch', BIN),
    expect: [{ rule: 'Write below binary dir', fields: { ...onHost, 'fd.name': BIN, 'proc.name': 'touch', 'proc.cmdline': `touch ${BIN}` } }],
  },
  {
    what: 'remove it again',
    run: () => act('rm', BIN),
    expect: [{ rule: 'Modify binary dirs', fields: { ...onHost, 'fs.path.name': BIN, 'evt.type': 'unlinkat', 'proc.name': 'rm' } }],
  },
  {
    what: 'touch a new file in /etc',
    run: () => act('touch', ETC),
    expect: [{ rule: 'Write below etc', fields: { ...onHost, 'fd.name': ETC, 'proc.name': 'touch', 'proc.cmdline': `touch ${ETC}` } }],
  },
  {
    what: 'truncate a log on open (cp /dev/null opens it O_TRUNC)',
    run: () => act('cp', '/dev/null', LOG),
    expect: [{ rule: 'Clear Log Activities', fields: { ...onHost, 'fs.path.name': LOG, 'evt.type': 'openat', 'proc.name': 'cp' } }],
  },
  {
    what: 'remove a log',
    run: () => act('rm', LOG),
    expect: [{ rule: 'Clear Log Activities', fields: { ...onHost, 'fs.path.name': LOG, 'evt.type': 'unlinkat', 'proc.name': 'rm' } }],
  },
  {
    what: 'remove a .bash_history',
    run: () => act('rm', HISTORY),
    expect: [{ rule: 'Delete or rename shell history', fields: { 'fs.path.name': HISTORY, 'evt.type': 'unlinkat', 'proc.name': 'rm', 'proc.cmdline': `rm ${HISTORY}` } }],
  },
  {
    what: 'truncate a .zsh_history on open',
    run: () => act('cp', '/dev/null', ZSH_HISTORY),
    expect: [{ rule: 'Delete or rename shell history', fields: { 'fs.path.name': ZSH_HISTORY, 'evt.type': 'openat', 'proc.name': 'cp', 'proc.cmdline': `cp /dev/null ${ZSH_HISTORY}` } }],
  },
  {
    what: 'link to /etc/shadow',
    run: () => act('ln', '-s', '/etc/shadow', LINK),
    expect: [{ rule: 'Create Symlink Over Sensitive Files', fields: { 'evt.arg.target': '/etc/shadow', 'evt.arg.linkpath': LINK, 'proc.name': 'ln' } }],
  },
  {
    what: 'read /etc/shadow',
    run: () => act('grep', '-c', TAG, '/etc/shadow'),
    expect: [{ rule: 'Read sensitive file untrusted', fields: { ...onHost, 'fd.name': '/etc/shadow', 'proc.name': 'grep', 'proc.cmdline': `grep -c ${TAG} /etc/shadow` } }],
  },
  {
    what: 'look for private keys',
    run: () => act('find', DIR, '-name', 'id_rsa'),
    expect: [{ rule: 'Search Private Keys or Passwords', fields: { ...onHost, 'proc.name': 'find', 'proc.cmdline': `find ${DIR} -name id_rsa` } }],
  },
  {
    what: 'set the setuid bit',
    run: () => act('chmod', 'u+s', SUID),
    expect: [{ rule: 'Set Setuid or Setgid bit', fields: { ...onHost, 'fs.path.name': SUID, 'proc.name': 'chmod', 'evt.arg.mode': /S_ISUID/ } }],
  },
  {
    what: 'run a program from /dev/shm',
    run: () => act(SHM),
    expect: [{ rule: 'Execution from /tmp or /dev/shm', fields: { ...onHost, 'proc.exepath': SHM } }],
  },
  {
    what: 'run a deleted binary through its open fd',
    run: () => act('bash', '-c', `exec 3<${GONE} && rm ${GONE} && /proc/self/fd/3`),
    expect: [{ rule: 'Execution of a deleted binary', fields: { ...onHost, 'evt.arg.trusted_exepath': `${GONE} (deleted)`, 'evt.arg.filename': '/proc/self/fd/3' } }],
  },
  {
    what: 'run a program from a memfd',
    run: () => act('python3', '-c', MEMFD_EXEC, TAG),
    // The probe reports the file the image runs (/memfd:NAME), not the /proc/self/fd/N path the caller passed.
    expect: [{ rule: 'Fileless execution via memfd_create', fields: { ...onHost, 'proc.exepath': `/memfd:${TAG}` } }],
  },
  {
    what: 'PTRACE_SEIZE a child',
    run: () => act('python3', '-c', PTRACE_SEIZE, TAG),
    expect: [{ rule: 'PTRACE attached to process', fields: { 'evt.arg.request': 'PTRACE_SEIZE', 'evt.arg.pid': /^\d+$/, 'proc.cmdline': new RegExp(`${TAG}$`) } }],
  },
  {
    what: "read a child's memory with process_vm_readv",
    run: () => act('python3', '-c', VM_READV, TAG),
    expect: [{ rule: 'Read process memory via process_vm_readv', fields: { ...onHost, 'evt.type': 'process_vm_readv', 'evt.rawres': '64', 'proc.cmdline': new RegExp(`${TAG}$`) } }],
  },
];

/** The files the actions work on: made before the session so that making them raises nothing. */
function prepare(): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(HISTORY, 'ls\n');
  writeFileSync(ZSH_HISTORY, 'ls\n');
  writeFileSync(LOG, 'an old log line\n');
  writeFileSync(SUID, '');
  copyFileSync('/bin/true', SHM);
  chmodSync(SHM, 0o755);
  copyFileSync('/bin/true', GONE);
  chmodSync(GONE, 0o755);
}

function cleanUp(): void {
  for (const p of [DIR, BIN, ETC, LOG, SHM]) rmSync(p, { recursive: true, force: true });
}

describe('default rules on real activity (live kernel)', () => {
  let s: Session | undefined;
  let failure: string | undefined;

  beforeAll(async () => {
    if (why !== undefined) return; // 'is possible here' reports it
    cleanUp();
    prepare();
    try {
      s = await runSession(STEPS);
      failure = s.failure;
    } catch (err) {
      failure = (err as Error).message;
    }
  }, 90_000);
  afterAll(cleanUp);

  sessionTests(why, STEPS, () => ({ session: s, failure }));
});
