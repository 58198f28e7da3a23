// Hand-built threads, events and contexts for table-driven tests of fields, the compiler, outputs
// and the ruleset. A small process tree: systemd(1) → containerd-shim(100) → bash(200) → curl(300).

import type { ContainerInfo, EngineContext, Fd, SyscallEvent, Thread } from '../event.js';

export function thread(over: Partial<Thread> = {}): Thread {
  return {
    tid: 300, pid: 300, ppid: 200, comm: 'curl', exe: 'curl', exepath: '/usr/bin/curl',
    args: ['-s', 'http://example.com'], cwd: '/root', uid: 0, gid: 0, euid: 0, egid: 0, loginuid: 1000,
    tty: 34816, sid: 200, pgid: 300, vpid: 30, vpgid: 30, cgroup: '/docker/abc', containerId: 'abcdef123456',
    startTs: 1_700_000_000_000_000_000n, execTs: 1_700_000_000_000_000_000n, env: ['HOME=/root', 'PATH=/bin'],
    capEffective: (1n << 21n) | 1n, capPermitted: (1n << 21n) | 1n, capInheritable: 0n,
    exeUpperLayer: false, exeFromMemfd: false, fds: new Map(), ...over,
  };
}

export const TREE: Thread[] = [
  thread({ tid: 1, pid: 1, ppid: 0, comm: 'systemd', exe: '/sbin/init', exepath: '/usr/lib/systemd/systemd', args: [], containerId: 'host' }),
  thread({ tid: 100, pid: 100, ppid: 1, comm: 'containerd-shim', exe: 'containerd-shim', exepath: '/usr/bin/containerd-shim', args: ['-namespace', 'moby'], containerId: 'host' }),
  thread({ tid: 200, pid: 200, ppid: 100, comm: 'bash', exe: 'bash', exepath: '/bin/bash', args: ['-i'], startTs: 1_699_999_990_000_000_000n }),
];

export const CONTAINER: ContainerInfo = {
  id: 'abcdef123456', name: 'web', image: 'nginx:1.25', imageRepository: 'nginx', imageTag: '1.25',
  imageDigest: 'sha256:00ff', imageId: 'deadbeef', type: 'docker', privileged: true, labels: { team: 'web' },
  mounts: [
    { source: '/var/run/docker.sock', dest: '/var/run/docker.sock', mode: '', rw: true, propagation: 'rprivate' },
    { source: '/proc', dest: '/host/proc', mode: 'ro', rw: false, propagation: 'rprivate' },
  ],
  startTs: 1_699_999_000_000_000_000n,
  k8s: { podName: 'web-1', podUid: 'uid-1', namespace: 'prod', containerName: 'nginx', podLabels: { app: 'web' }, nsLabels: {} },
};

export function context(threads: Thread[] = TREE, containers: ContainerInfo[] = [CONTAINER]): EngineContext {
  const byTid = new Map(threads.map((t) => [t.tid, t]));
  const byId = new Map(containers.map((c) => [c.id, c]));
  const users = new Map([[0, { name: 'root', home: '/root', shell: '/bin/bash' }], [1000, { name: 'alice', home: '/home/alice', shell: '/bin/zsh' }]]);
  return {
    thread: (tid) => byTid.get(tid),
    container: (id) => byId.get(id),
    userName: (uid) => users.get(uid)?.name,
    groupName: (gid) => (gid === 0 ? 'root' : undefined),
    userInfo: (uid) => users.get(uid),
    hostname: 'node-1',
  };
}

export function event(over: Partial<SyscallEvent> = {}): SyscallEvent {
  return {
    num: 42, ts: 1_700_000_005_123_456_789n, type: 'execve', dir: '<', tid: 300, res: 0,
    args: { exe: 'curl', args: ['-s', 'http://example.com'], filename: '/usr/bin/curl' },
    thread: thread(), ...over,
  };
}

export function fileFd(name: string, over: Partial<Fd> = {}): Fd {
  return { num: 3, type: 'file', name, openFlags: 0, ...over };
}

export function tcpFd(over: Partial<Fd> = {}): Fd {
  return {
    num: 5, type: 'ipv4', name: '10.0.0.5:40000->93.184.216.34:443', openFlags: 0, l4proto: 'tcp',
    cip: '10.0.0.5', cport: 40000, sip: '93.184.216.34', sport: 443, isServer: false, connected: true, ...over,
  };
}
