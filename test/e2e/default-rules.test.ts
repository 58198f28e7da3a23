// Every default rule that can fire on a plain host (no container, no kernel module), fired by a real
// action during one live `falconet run --json` session with rules/default.yaml. Each action is a child
// process whose paths or arguments carry this worker's TAG, so alerts caused by anything else on the
// host (other test files run in parallel) are told apart, and each must produce exactly one alert.
// Everything the actions touch is created for them and removed afterwards.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelTestsPossible, startLive, until } from './env.js';

const why = kernelTestsPossible();

const TAG = `falconet-e2e-${process.pid}`;
const DIR = `/tmp/${TAG}`;
const BIN = `/usr/local/bin/${TAG}`;
const LOG = `/var/log/${TAG}.log`;
const HISTORY = `${DIR}/.bash_history`;
const ZSH_HISTORY = `${DIR}/.zsh_history`;
const LINK = `${DIR}/shadow-link`;

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

type Matcher = string | RegExp;

interface Action {
  rule: string;
  what: string;
  cmd: string[];
  /** The output fields that identify this action's alert, given the command's stdout. */
  fields: (stdout: string) => Record<string, Matcher>;
}

const ACTIONS: Action[] = [
  {
    rule: 'Write below binary directory',
    what: 'touch a new file in /usr/local/bin',
    cmd: ['touch', BIN],
    fields: () => ({ 'fd.name': BIN, 'proc.name': 'touch', 'proc.cmdline': `touch ${BIN}` }),
  },
  {
    rule: 'Log file cleared or removed',
    what: 'truncate a log on open (cp /dev/null opens it O_TRUNC)',
    cmd: ['cp', '/dev/null', LOG],
    fields: () => ({ 'fs.path.name': LOG, 'evt.type': 'openat', 'proc.name': 'cp' }),
  },
  {
    rule: 'Log file cleared or removed',
    what: 'remove a log',
    cmd: ['rm', LOG],
    fields: () => ({ 'fs.path.name': LOG, 'evt.type': 'unlinkat', 'proc.name': 'rm' }),
  },
  {
    rule: 'Shell history deleted',
    what: 'remove a .bash_history',
    cmd: ['rm', HISTORY],
    fields: () => ({ 'fs.path.name': HISTORY, 'evt.type': 'unlinkat', 'proc.name': 'rm', 'proc.cmdline': `rm ${HISTORY}` }),
  },
  {
    rule: 'Shell history deleted',
    what: 'truncate a .zsh_history on open',
    cmd: ['cp', '/dev/null', ZSH_HISTORY],
    fields: () => ({ 'fs.path.name': ZSH_HISTORY, 'evt.type': 'openat', 'proc.name': 'cp', 'proc.cmdline': `cp /dev/null ${ZSH_HISTORY}` }),
  },
  {
    rule: 'Symlink to credential file',
    what: 'link to /etc/shadow',
    cmd: ['ln', '-s', '/etc/shadow', LINK],
    fields: () => ({ 'evt.arg.target': '/etc/shadow', 'evt.arg.linkpath': LINK, 'proc.name': 'ln' }),
  },
  {
    rule: 'Credential file read by untrusted program',
    what: 'read /etc/shadow',
    cmd: ['grep', '-c', TAG, '/etc/shadow'],
    fields: () => ({ 'fd.name': '/etc/shadow', 'proc.name': 'grep', 'proc.cmdline': `grep -c ${TAG} /etc/shadow` }),
  },
  {
    rule: 'Fileless program execution',
    what: 'run a program from a memfd',
    cmd: ['python3', '-c', MEMFD_EXEC, TAG],
    // The probe reports the file the image runs (/memfd:NAME), not the /proc/self/fd/N path the caller passed.
    fields: () => ({ 'proc.exepath': `/memfd:${TAG}` }),
  },
  {
    rule: 'Process attached with ptrace',
    what: 'PTRACE_SEIZE a child',
    cmd: ['python3', '-c', PTRACE_SEIZE, TAG],
    fields: (stdout) => ({ 'evt.arg.request': 'PTRACE_SEIZE', 'evt.arg.pid': stdout.trim(), 'proc.cmdline': new RegExp(`${TAG}$`) }),
  },
];

interface Alert {
  rule: string;
  output_fields: Record<string, unknown>;
}

/** What each action printed, then the alerts of the whole session. */
interface Session {
  stdouts: string[];
  alerts: Alert[];
  stderr: string;
}

function matches(alert: Alert, rule: string, fields: Record<string, Matcher>): boolean {
  if (alert.rule !== rule) return false;
  return Object.entries(fields).every(([k, m]) => {
    const v = String(alert.output_fields[k]);
    return typeof m === 'string' ? v === m : m.test(v);
  });
}

function parseAlerts(stdout: string): Alert[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Alert);
}

/** The files the actions work on: made before the session so that making them raises nothing. */
function prepare(): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(HISTORY, 'ls\n');
  writeFileSync(ZSH_HISTORY, 'ls\n');
  writeFileSync(LOG, 'an old log line\n');
}

function cleanUp(): void {
  for (const p of [DIR, BIN, LOG]) rmSync(p, { recursive: true, force: true });
}

function act(a: Action): string {
  const r = spawnSync(a.cmd[0]!, a.cmd.slice(1), { encoding: 'utf8', timeout: 20_000 });
  // grep exits 1 when it finds no line: the read is what counts.
  if (r.error || (r.status !== 0 && a.cmd[0] !== 'grep')) throw new Error(`${a.what}: ${a.cmd[0]} failed (${r.status}): ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/** One `falconet run --json` with the default rules around all the actions. */
async function session(): Promise<Session> {
  const live = await startLive(['run', '--json']);
  try {
    const stdouts = ACTIONS.map(act);
    // Records reach the engine in batches: wait for every expected alert, or give up after a while.
    const all = () => ACTIONS.every((a, i) => parseAlerts(live.out.stdout).some((al) => matches(al, a.rule, a.fields(stdouts[i]!))));
    await until(all, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate alert would arrive now
    await live.stop();
    return { stdouts, alerts: parseAlerts(live.out.stdout), stderr: live.out.stderr };
  } finally {
    if (live.child.exitCode === null) live.child.kill('SIGKILL');
  }
}

describe('default rules on real activity (live kernel)', () => {
  let s: Session | undefined;
  let failure: Error | undefined;

  beforeAll(async () => {
    if (why !== undefined) return; // 'is possible here' reports it
    cleanUp();
    prepare();
    try {
      s = await session();
    } catch (err) {
      failure = err as Error;
    }
  }, 90_000);
  afterAll(cleanUp);

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('the session ran and stopped cleanly', () => {
    expect(failure?.message).toBeUndefined();
    expect(s?.stderr).toContain('"msg":"stopped"');
  });

  it.each(ACTIONS.map((a, i) => [a.rule, a.what, i] as const))('%s fires once: %s', (rule, _what, i) => {
    const a = ACTIONS[i]!;
    const fields = a.fields(s?.stdouts[i] ?? '');
    const hits = (s?.alerts ?? []).filter((al) => matches(al, rule, fields));
    const ofRule = (s?.alerts ?? []).filter((al) => al.rule === rule).map((al) => al.output_fields);
    expect(hits.length, `alerts of "${rule}" in the session: ${JSON.stringify(ofRule, null, 1)}`).toBe(1);
  });
});
