// The default rules against real attacks inside real containers: behaviour scripts (after Falco's
// event-generator actions) `docker exec`'d into a few long-lived containers of the busybox and
// Debian test images, all started while one `falconet run -r rules/default.yaml --json` watches.
// Every container, file and argument carries this run's TAG, so alerts from the rest of the host are
// told apart; each expected alert must come exactly once, with the process, file and container
// fields a responder needs. Containers run with --network none: connections stay on their own
// loopback. Also proven here: the runtime's own mounts and namespace calls while a container starts
// raise nothing, and the per-image allowlist and data-directory examples work as documented.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { ensureDebianImage } from './debian.js';
import { BUSYBOX_IMAGE, dockerProblem, removeContainers } from './docker.js';
import { kernelTestsPossible } from './env.js';
import { exec, must, nothingElseTest, runSession, sessionTests, type Session, type Step } from './detection.js';

const why = kernelTestsPossible() ?? dockerProblem();

const TAG = `fdet-${process.pid}`;
const BB = `${TAG}-bb`; // busybox, plain
const DEB = `${TAG}-deb`; // Debian, /tmp a tmpfs that allows exec
const CAP = `${TAG}-cap`; // busybox with CAP_SYS_ADMIN (mount works)
const SOCK = `${TAG}-sock`; // Debian with the Docker socket mounted
const ALLOW = `${TAG}-allow`; // busybox under an image name that has a process allowlist
const ALLOW_IMAGE = `${TAG}-allow:test`;
let DEBIAN = '';

const dx = (c: string, ...cmd: string[]) => exec('docker', ['exec', c, ...cmd]);
const sh = (c: string, script: string) => exec('docker', ['exec', c, 'sh', '-c', script]);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until something in the container's network namespace listens on TCP `port` (/proc/net/tcp*, state 0A). */
async function listening(c: string, port: number): Promise<void> {
  const local = new RegExp(`:${port.toString(16).toUpperCase().padStart(4, '0')} [0-9A-F:]+ 0A `);
  for (const end = Date.now() + 10_000; Date.now() < end; await pause(100)) {
    const r = await dx(c, 'cat', '/proc/net/tcp', '/proc/net/tcp6');
    if (local.test(r.stdout)) return;
  }
  throw new Error(`nothing listens on port ${port} in ${c}`);
}

// Runs /bin/true from an anonymous memory file, as fileless loaders do (perl-base: no python here).
const PERL_MEMFD = `
$^F = 1000;
my $fd = syscall(319, $ARGV[0], 0);  # memfd_create(name, 0)
die "memfd_create: $!" if $fd < 0;
open(my $m, '>&=', $fd) or die "fdopen: $!";
open(my $t, '<', '/bin/true') or die; binmode $t; local $/; my $b = <$t>;
syswrite($m, $b) or die "write: $!";
exec { "/proc/self/fd/$fd" } 'true' or die "exec: $!";
`;

// Seizes a sleeping child with ptrace (PTRACE_SEIZE = 0x4206), as an injector does first.
const PERL_PTRACE = `
my $pid = fork();
if ($pid == 0) { sleep 30; exit 0 }
my $r = syscall(101, 0x4206, $pid, 0, 0);
print "$pid\\n";
kill 'KILL', $pid; waitpid($pid, 0);
exit($r == 0 ? 0 : 1);
`;

const PERL_LISTEN = `
use IO::Socket::INET;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 7102, Listen => 1, ReuseAddr => 1) or die "listen: $!";
my $c = $s->accept; sleep 1;
`;

const PERL_DOCKER_SOCK = `
use IO::Socket::UNIX;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => '/var/run/docker.sock') or die "connect: $!";
close $s;
`;

const ALLOWLIST_RULES = `
# How a user gives an image a process allowlist (docs/rules.md): append to both macros.
- list: e2e_app_allowed_processes
  items: [sleep]
- macro: image_has_process_allowlist
  condition: or container.image.repository = ${TAG}-allow
  override:
    condition: append
- macro: process_allowed_for_image
  condition: or (container.image.repository = ${TAG}-allow and proc.name in (e2e_app_allowed_processes))
  override:
    condition: append
`;

async function startContainers(): Promise<void> {
  const run = (...args: string[]) => must('docker', ['run', '-d', '--network', 'none', ...args]);
  await run('--name', BB, BUSYBOX_IMAGE, 'sleep', '600');
  await run('--name', DEB, '--tmpfs', '/tmp:rw,exec', DEBIAN, 'sleep', '600');
  await run('--name', CAP, '--cap-add', 'SYS_ADMIN', '--security-opt', 'apparmor=unconfined', BUSYBOX_IMAGE, 'sleep', '600');
  await run('--name', SOCK, '-v', '/var/run/docker.sock:/var/run/docker.sock', DEBIAN, 'sleep', '600');
  await run('--name', ALLOW, ALLOW_IMAGE, 'sleep', '600');
  // Files the actions work on, made without O_TRUNC so that making them raises nothing.
  await must('docker', ['exec', BB, 'sh', '-c', `mkdir -p /var/log && echo old >> /var/log/${TAG}.log && echo ls >> /root/.ash_history && touch /tmp/${TAG}-suid`]);
}

const inBB = { 'container.name': BB, 'container.image': BUSYBOX_IMAGE };

const STEPS: Step[] = [
  {
    what: 'containers start (plain docker run, Debian, SYS_ADMIN, docker.sock mounted): the runtime\'s own mounts raise nothing',
    run: async () => {},
    expect: [
      { rule: 'Launch Sensitive Mount Container', fields: { 'container.name': SOCK, 'proc.name': 'sleep', 'proc.cmdline': 'sleep 600', 'container.mounts': /\/var\/run\/docker\.sock:\/var\/run\/docker\.sock/ } },
      ...[BB, DEB, CAP, ALLOW].map((c) => ({ rule: 'Launch Sensitive Mount Container', fields: { 'container.name': c }, count: 0 })),
      ...[BB, DEB, SOCK, ALLOW].map((c) => ({ rule: 'Mount Launched in Container', fields: { 'container.name': c }, count: 0 })),
      ...[DEB, SOCK, ALLOW, CAP].map((c) => ({ rule: 'Change thread namespace', fields: { 'container.name': c }, count: 0 })),
      ...[DEB, SOCK, ALLOW, CAP].map((c) => ({ rule: 'Change namespace privileges via unshare', fields: { 'container.name': c }, count: 0 })),
      ...[BB, DEB, CAP, SOCK, ALLOW].map((c) => ({ rule: 'Launch Privileged Container', fields: { 'container.name': c }, count: 0 })),
    ],
  },
  {
    what: 'docker exec -it: a shell with a terminal',
    run: () => exec('script', ['-qec', `docker exec -it ${BB} sh -c ': ${TAG}'`, '/dev/null']),
    expect: [{ rule: 'Terminal shell in container', fields: { ...inBB, 'proc.name': 'sh', 'proc.cmdline': `sh -c : ${TAG}` } }],
  },
  {
    what: 'docker exec without a terminal: no terminal-shell alert',
    run: () => dx(BB, 'sh', '-c', `: ${TAG}-notty`),
    expect: [{ rule: 'Terminal shell in container', fields: { 'container.name': BB, 'proc.cmdline': `sh -c : ${TAG}-notty` }, count: 0 }],
  },
  {
    what: 'read /etc/shadow',
    run: () => dx(DEB, 'cat', '/etc/shadow'),
    expect: [{ rule: 'Read sensitive file untrusted', fields: { 'container.name': DEB, 'fd.name': '/etc/shadow', 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/shadow' } }],
  },
  {
    what: 'find private keys',
    run: () => dx(BB, 'find', '/root', '-name', 'id_rsa'),
    expect: [{ rule: 'Search Private Keys or Passwords', fields: { ...inBB, 'proc.name': 'find', 'proc.cmdline': 'find /root -name id_rsa' } }],
  },
  {
    what: 'drop a binary into /bin and run it',
    run: async () => {
      await dx(BB, 'cp', '/bin/busybox', `/bin/busybox-${TAG}`);
      await dx(BB, `/bin/busybox-${TAG}`, 'true');
    },
    expect: [
      { rule: 'Write below binary dir', fields: { ...inBB, 'fd.name': `/bin/busybox-${TAG}`, 'proc.name': 'cp' } },
      { rule: 'Drop and execute new binary in container', fields: { ...inBB, 'proc.exepath': `/bin/busybox-${TAG}`, 'proc.cmdline': /true$/ } },
    ],
  },
  {
    what: 'swap a binary: rename the dropped one over /bin/TAG-ls',
    run: () => dx(BB, 'mv', `/bin/busybox-${TAG}`, `/bin/${TAG}-ls`),
    expect: [{ rule: 'Modify binary dirs', fields: { ...inBB, 'fs.path.source': `/bin/busybox-${TAG}`, 'fs.path.target': `/bin/${TAG}-ls`, 'proc.name': 'mv' } }],
  },
  {
    what: 'run a program from /tmp (a tmpfs, not the overlay)',
    run: async () => {
      await dx(DEB, 'cp', '/bin/true', `/tmp/${TAG}-true`);
      await dx(DEB, `/tmp/${TAG}-true`);
    },
    expect: [{ rule: 'Execution from /tmp or /dev/shm', fields: { 'container.name': DEB, 'proc.exepath': `/tmp/${TAG}-true` } }],
  },
  {
    what: 'run a deleted binary through its open fd',
    run: () => dx(DEB, 'bash', '-c', `cp /bin/true /tmp/${TAG}-gone && exec 3</tmp/${TAG}-gone && rm /tmp/${TAG}-gone && /proc/self/fd/3`),
    expect: [{ rule: 'Execution of a deleted binary', fields: { 'container.name': DEB, 'evt.arg.trusted_exepath': `/tmp/${TAG}-gone (deleted)`, 'evt.arg.filename': '/proc/self/fd/3', 'proc.name': '3' } }],
  },
  {
    what: 'run a program from a memfd',
    run: () => dx(DEB, 'perl', '-e', PERL_MEMFD, TAG),
    expect: [{ rule: 'Fileless execution via memfd_create', fields: { 'container.name': DEB, 'proc.exepath': `/memfd:${TAG}`, 'proc.name': /^\d+$/ } }],
  },
  {
    what: 'package manager in a running container',
    run: () => dx(DEB, 'dpkg-query', '-W', 'bash'),
    expect: [{ rule: 'Launch Package Management Process in Container', fields: { 'container.name': DEB, 'proc.name': 'dpkg-query', 'proc.cmdline': 'dpkg-query -W bash' } }],
  },
  {
    what: 'netcat listener, then a netcat reverse shell into it (-e)',
    run: async () => {
      await must('docker', ['exec', '-d', BB, 'nc', '-l', '-p', '7101']);
      await listening(BB, 7101);
      await dx(BB, 'nc', '127.0.0.1', '7101', '-e', '/bin/true');
    },
    expect: [
      { rule: 'Launch Suspicious Network Tool in Container', fields: { ...inBB, 'proc.name': 'nc', 'proc.cmdline': 'nc -l -p 7101' } },
      { rule: 'Launch Suspicious Network Tool in Container', fields: { ...inBB, 'proc.cmdline': 'nc 127.0.0.1 7101 -e /bin/true' }, count: 0 },
      { rule: 'Unexpected listening socket in container', fields: { ...inBB, 'proc.name': 'nc', 'fd.name': /:7101$/ } },
      { rule: 'Netcat Remote Code Execution in Container', fields: { ...inBB, 'proc.name': 'nc', 'proc.cmdline': 'nc 127.0.0.1 7101 -e /bin/true' } },
      // nc -e makes the socket its stdin and stdout: one alert per stream
      { rule: 'Redirect STDOUT/STDIN to Network Connection in Container', fields: { ...inBB, 'proc.name': 'nc', 'evt.rawres': '0', 'fd.name': /->127\.0\.0\.1:7101$/ } },
      { rule: 'Redirect STDOUT/STDIN to Network Connection in Container', fields: { ...inBB, 'proc.name': 'nc', 'evt.rawres': '1', 'fd.name': /->127\.0\.0\.1:7101$/ } },
    ],
  },
  {
    what: 'nc run by a busybox shell (an applet: proc.name is exe, argv[0] nc)',
    run: () => sh(BB, 'nc -w 1 127.0.0.1 7109; :'),
    expect: [{ rule: 'Launch Suspicious Network Tool in Container', fields: { ...inBB, 'proc.name': 'exe', 'proc.exe': 'nc', 'proc.cmdline': 'exe -w 1 127.0.0.1 7109' } }],
  },
  {
    what: 'a perl listener, then bash connects to it through /dev/tcp',
    run: async () => {
      await must('docker', ['exec', '-d', DEB, 'perl', '-e', PERL_LISTEN]);
      await listening(DEB, 7102);
      await dx(DEB, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/7102 && echo ${TAG} >&3`);
    },
    expect: [
      { rule: 'Unexpected listening socket in container', fields: { 'container.name': DEB, 'proc.name': 'perl', 'fd.name': /127\.0\.0\.1:7102$/ } },
      { rule: 'Outbound connection from shell in container', fields: { 'container.name': DEB, 'proc.name': 'bash', 'fd.name': /->127\.0\.0\.1:7102$/, 'proc.cmdline': new RegExp(`echo ${TAG} >&3$`) } },
      // `echo ... >&3` points bash's stdout at the socket for the echo
      { rule: 'Redirect STDOUT/STDIN to Network Connection in Container', fields: { 'container.name': DEB, 'proc.name': 'bash', 'evt.rawres': '1', 'fd.name': /->127\.0\.0\.1:7102$/ } },
    ],
  },
  {
    what: 'talk to the Docker socket from a container that has it mounted',
    run: () => dx(SOCK, 'perl', '-e', PERL_DOCKER_SOCK),
    expect: [{ rule: 'Container runtime socket accessed in container', fields: { 'container.name': SOCK, 'proc.name': 'perl', 'fd.name': '/var/run/docker.sock' } }],
  },
  {
    what: 'set the setuid bit',
    run: () => dx(BB, 'chmod', 'u+s', `/tmp/${TAG}-suid`),
    expect: [{ rule: 'Set Setuid or Setgid bit', fields: { ...inBB, 'fs.path.name': `/tmp/${TAG}-suid`, 'proc.name': 'chmod', 'evt.arg.mode': /S_ISUID/ } }],
  },
  {
    what: 'unshare a user namespace (refused by the seccomp profile)',
    run: () => dx(BB, 'unshare', '-U', '/bin/true'),
    expect: [{ rule: 'Change namespace privileges via unshare', fields: { ...inBB, 'proc.name': 'unshare', 'evt.arg.flags': 'CLONE_NEWUSER', 'evt.res': 'EPERM' } }],
  },
  {
    what: 'nsenter the init\'s network namespace (refused)',
    run: () => dx(BB, 'nsenter', '-t', '1', '-n', '/bin/true'),
    expect: [{ rule: 'Change thread namespace', fields: { ...inBB, 'proc.name': 'nsenter', 'fd.name': '/proc/1/ns/net', 'evt.res': 'EPERM' } }],
  },
  {
    what: 'mount a tmpfs (CAP_SYS_ADMIN container)',
    run: () => dx(CAP, 'mount', '-t', 'tmpfs', TAG, '/tmp'),
    expect: [{ rule: 'Mount Launched in Container', fields: { 'container.name': CAP, 'proc.name': 'mount', 'evt.arg.dev': TAG, 'evt.arg.dir': '/tmp', 'evt.arg.type': 'tmpfs', 'evt.res': 'SUCCESS' } }],
  },
  {
    what: 'load a kernel module (refused)',
    run: () => dx(BB, 'insmod', '/etc/passwd'),
    // busybox insmod tries finit_module, then init_module: one alert per attempt
    expect: ['finit_module', 'init_module'].map((t) => ({
      rule: 'Linux Kernel Module Injection Detected',
      fields: { ...inBB, 'evt.type': t, 'proc.name': 'insmod', 'proc.cmdline': 'insmod /etc/passwd', 'evt.res': 'EPERM' },
    })),
  },
  {
    what: 'PTRACE_SEIZE a child',
    run: () => dx(DEB, 'perl', '-e', PERL_PTRACE),
    expect: [{ rule: 'PTRACE attached to process', fields: { 'container.name': DEB, 'proc.name': 'perl', 'evt.arg.request': 'PTRACE_SEIZE' } }],
  },
  {
    what: 'read another process\'s environment and memory through /proc',
    run: () => sh(BB, `/bin/sleep 30 & /bin/cat /proc/$!/environ >/dev/null; /bin/dd if=/proc/$!/mem of=/dev/null bs=1 count=1 2>/dev/null; kill $!`),
    expect: [
      { rule: 'Read environment variable from /proc files', fields: { ...inBB, 'proc.name': 'cat', 'fd.name': /^\/proc\/\d+\/environ$/ } },
      { rule: 'Read process memory from /proc files', fields: { ...inBB, 'proc.name': 'dd', 'fd.name': /^\/proc\/\d+\/mem$/ } },
    ],
  },
  {
    what: 'clear a log (cp /dev/null opens it O_TRUNC)',
    run: () => dx(BB, 'cp', '/dev/null', `/var/log/${TAG}.log`),
    expect: [{ rule: 'Clear Log Activities', fields: { ...inBB, 'fs.path.name': `/var/log/${TAG}.log`, 'proc.name': 'cp' } }],
  },
  {
    what: 'move the shell history away',
    run: () => dx(BB, 'mv', '/root/.ash_history', `/tmp/${TAG}-history`),
    expect: [{ rule: 'Delete or rename shell history', fields: { ...inBB, 'proc.name': 'mv', 'evt.type': /^rename/ } }],
  },
  {
    what: 'symlink to /etc/shadow',
    run: () => dx(BB, 'ln', '-s', '/etc/shadow', `/tmp/${TAG}-link`),
    expect: [{ rule: 'Create Symlink Over Sensitive Files', fields: { ...inBB, 'evt.arg.target': '/etc/shadow', 'evt.arg.linkpath': `/tmp/${TAG}-link`, 'proc.name': 'ln' } }],
  },
  {
    what: 'hard link to /etc/shadow',
    run: () => dx(DEB, 'ln', '/etc/shadow', `/root/${TAG}-shadow`),
    expect: [{ rule: 'Create Hardlink Over Sensitive Files', fields: { 'container.name': DEB, 'fs.path.source': '/etc/shadow', 'fs.path.target': `/root/${TAG}-shadow`, 'proc.name': 'ln' } }],
  },
  {
    what: 'open a file named release_agent for writing (a cgroup escape writes the real one)',
    run: () => dx(BB, 'touch', '/tmp/release_agent'),
    expect: [{ rule: 'Detect release_agent File Container Escapes', fields: { ...inBB, 'fd.name': '/tmp/release_agent', 'proc.name': 'touch' } }],
  },
  {
    what: 'open a packet socket (AF_PACKET, SOCK_RAW)',
    run: () => dx(DEB, 'perl', '-e', 'socket(my $s, 17, 3, 0) or die "socket: $!"'),
    expect: [{ rule: 'Packet socket created in container', fields: { 'container.name': DEB, 'proc.name': 'perl', 'evt.arg.type': /SOCK_RAW/ } }],
  },
  {
    what: 'write below /etc',
    run: () => dx(BB, 'touch', `/etc/${TAG}.conf`),
    expect: [{ rule: 'Write below etc', fields: { ...inBB, 'fd.name': `/etc/${TAG}.conf`, 'proc.name': 'touch' } }],
  },
  {
    what: 'write to /usr/foo (not allowed) and /userdata (allowed_data_dirs)',
    run: () => sh(BB, `mkdir -p /userdata /usr/foo && echo x >> /userdata/${TAG} && echo x >> /usr/foo/${TAG}`),
    expect: [
      { rule: 'Write outside allowed data directories in container', fields: { ...inBB, 'fd.name': `/usr/foo/${TAG}`, 'proc.name': 'sh' } },
      { rule: 'Write outside allowed data directories in container', fields: { 'fd.name': `/userdata/${TAG}` }, count: 0 },
    ],
  },
  {
    what: 'a process not on its image\'s allowlist (the allowlist allows sleep only)',
    run: () => dx(ALLOW, 'cat', '/etc/hostname'),
    expect: [
      { rule: 'Unexpected process in container image', fields: { 'container.name': ALLOW, 'container.image.repository': `${TAG}-allow`, 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/hostname' } },
      { rule: 'Unexpected process in container image', fields: { 'container.name': ALLOW, 'proc.name': 'sleep' }, count: 0 },
      { rule: 'Unexpected process in container image', fields: { 'container.name': BB }, count: 0 },
    ],
  },
];

describe('default rules against attacks in containers (live kernel, docker)', () => {
  let s: Session | undefined;
  let failure: string | undefined;

  beforeAll(async () => {
    if (why !== undefined) return; // 'is possible here' reports it
    try {
      DEBIAN = await ensureDebianImage();
      removeContainers(BB, DEB, CAP, SOCK, ALLOW);
      await must('docker', ['tag', BUSYBOX_IMAGE, ALLOW_IMAGE]);
      const extra = join(tempDir(), 'allowlist.yaml');
      writeFileSync(extra, ALLOWLIST_RULES);
      s = await runSession(STEPS, { extraArgs: ['-r', extra], setup: startContainers });
      failure = s.failure;
    } catch (err) {
      failure = (err as Error).message;
    }
  }, 900_000); // on a new machine the Debian image is made first (debootstrap: minutes)

  afterAll(async () => {
    removeContainers(BB, DEB, CAP, SOCK, ALLOW);
    await exec('docker', ['rmi', ALLOW_IMAGE]);
  });

  sessionTests(why, STEPS, () => ({ session: s, failure }));
  nothingElseTest('these containers', STEPS, () => s, (a) => String(a.output_fields['container.name']).startsWith(TAG));

  it('names the container, its image and the k8s fields (<NA> outside a pod) in every alert', () => {
    const ours = (s?.alerts ?? []).filter((a) => String(a.output_fields['container.name']).startsWith(TAG));
    expect(ours.length).toBeGreaterThan(20);
    for (const a of ours) {
      expect(a.output_fields['container.id'], a.output).toMatch(/^[0-9a-f]{12}$/);
      expect(a.output_fields['container.image'], a.output).toMatch(/^(falconet-busybox:test|falconet-base:bookworm|fdet-\d+-allow:test)$/);
      expect(a.output, a.output).toContain('k8s_pod=<NA> k8s_ns=<NA>');
    }
  });
});
