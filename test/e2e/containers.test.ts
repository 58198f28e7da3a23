// Process and container identity on the live host with a real dockerd: processes started by
// `docker exec` (directly and through a shell) and a container's own init, in a container started
// before the monitor and one started after it, each get the right container.id and process fields,
// every time. Run once per cgroup hierarchy the probe can follow here: this host is cgroup v1 with
// runc also populating the unified (v2) hierarchy, so both the v1 path (a controller's hierarchy)
// and the v2 path (the unified hierarchy) are exercised against the same containers.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { falconet, tempDir } from '../cli/cli.js';
import { docker, dockerProblem, initPid, removeContainers, startContainer } from './docker.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible() ?? dockerProblem();
const REPEAT = 5;
// The init reads /etc/hostname itself (a builtin's redirection opens it in the shell), every 200 ms.
const INIT_LOOP = ['sh', '-c', 'while :; do read x < /etc/hostname; sleep 0.2; done'];

const RULES = `
- rule: Hostname read
  desc: every open of /etc/hostname, with the identity of who opened it
  condition: evt.type in (open, openat) and fd.name = /etc/hostname
  output: "hostname read (c=%container.id cg=%thread.cgroups n=%proc.name exe=%proc.exe path=%proc.exepath cmd=%proc.cmdline p=%proc.pname vpid=%proc.vpid pid=%proc.pid ppid=%proc.ppid)"
  priority: NOTICE
`;

/** The pid a `cat ... /proc/self/stat` saw itself as: the first field of its stat line. */
function ownVpid(out: string): number {
  const m = /^(\d+) \(cat\) /m.exec(out);
  if (!m?.[1]) throw new Error(`no stat line in: ${out}`);
  return Number(m[1]);
}

describe.each(['auto', 'unified', 'memory'])('container identity, --cgroup-hierarchy %s (live kernel, dockerd)', (hierarchy) => {
  const pre = `falconet-pre-${hierarchy}`;
  const post = `falconet-post-${hierarchy}`;
  let preId = '';
  let postId = '';
  let alerts: JsonAlert[] = [];
  let stderr = '';
  const execVpids: number[] = [];
  const shellVpids: number[] = [];

  beforeAll(async () => {
    if (why) return;
    preId = startContainer(pre, ...INIT_LOOP);
    const rules = join(tempDir(), 'identity.yaml');
    writeFileSync(rules, RULES);
    ({ alerts, stderr } = await watchJson(['-r', rules, '--cgroup-hierarchy', hierarchy], () => {
      postId = startContainer(post, ...INIT_LOOP);
      for (let i = 0; i < REPEAT; i++) {
        execVpids.push(ownVpid(docker('exec', pre, 'cat', '/etc/hostname', '/proc/self/stat')));
        shellVpids.push(ownVpid(docker('exec', pre, 'sh', '-c', '/bin/cat /etc/hostname /proc/self/stat; true')));
      }
    }));
  }, 120_000);

  afterAll(() => removeContainers(pre, post));

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    const expected = { auto: 'v1 pids', unified: 'unified (v2)', memory: 'v1 memory' }[hierarchy];
    expect(stderr).toContain(`"cgroupHierarchy":"${expected}"`);
  });

  const of = (id: string) => alerts.map((a) => a.output_fields).filter((f) => f['container.id'] === id.slice(0, 12));

  it.each([
    ['started before the monitor', () => pre, () => preId],
    ['started after the monitor', () => post, () => postId],
  ])("gives a container's own init (%s) its container, vpid 1 and host pid", (_, name, id) => {
    const init = of(id()).filter((f) => f['proc.vpid'] === 1);
    expect(init.length, JSON.stringify(alerts.slice(0, 5))).toBeGreaterThan(2);
    for (const f of init) {
      expect(f).toMatchObject({
        'thread.cgroups': `/docker/${id()}`,
        'proc.name': 'sh',
        'proc.exepath': '/bin/busybox',
        'proc.cmdline': 'sh -c while :; do read x < /etc/hostname; sleep 0.2; done',
        'proc.pid': initPid(name()),
        'proc.pname': 'containerd-shim',
      });
    }
  });

  it('attributes every `docker exec C cat` to the container, with its own pid as the container sees it', () => {
    expect(execVpids).toHaveLength(REPEAT);
    for (const vpid of execVpids) {
      const hits = of(preId).filter((f) => f['proc.vpid'] === vpid);
      expect(hits, `vpid ${vpid} in ${JSON.stringify(of(preId).map((f) => [f['proc.vpid'], f['proc.name']]))}`).toHaveLength(1);
      const f = hits[0]!;
      expect(f).toMatchObject({
        'thread.cgroups': `/docker/${preId}`,
        'proc.name': 'cat',
        'proc.exe': 'cat',
        'proc.exepath': '/bin/busybox',
        'proc.cmdline': 'cat /etc/hostname /proc/self/stat',
      });
      // runc starts the process and may exit before it opens the file: the shim then adopts it
      expect(['runc', 'containerd-shim']).toContain(f['proc.pname']);
      expect(f['proc.pid']).not.toBe(vpid);
    }
  });

  it('attributes every `docker exec C sh -c ...` child to the container, with sh as its parent', () => {
    for (const vpid of shellVpids) {
      const hits = of(preId).filter((f) => f['proc.vpid'] === vpid);
      expect(hits, `vpid ${vpid}`).toHaveLength(1);
      expect(hits[0]).toMatchObject({
        'thread.cgroups': `/docker/${preId}`,
        'proc.name': 'cat',
        'proc.exepath': '/bin/busybox',
        'proc.cmdline': 'cat /etc/hostname /proc/self/stat',
        'proc.pname': 'sh',
      });
    }
  });

  it('reports no container process as a host process', () => {
    const host = alerts.map((a) => a.output_fields).filter((f) => f['container.id'] === 'host');
    expect(host.filter((f) => f['proc.exepath'] === '/bin/busybox')).toEqual([]);
    expect(of(postId).length).toBeGreaterThan(0);
  });
});

describe('--cgroup-hierarchy', () => {
  it('refuses a controller this host does not have as a v1 hierarchy, and a negative --metadata-wait, naming the option, before touching the kernel', () => {
    const bogus = falconet(['run', '--cgroup-hierarchy', 'bogus', '--duration', '1']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/^falconet: --cgroup-hierarchy bogus: unknown cgroup controller 'bogus' \(this kernel has: cpuset, /m);
    // a controller the kernel has but no v1 hierarchy mounts (net_cls here); a v2 host has only those
    const free = readFileSync('/proc/cgroups', 'utf8').split('\n').map((l) => l.split('\t')).find((f) => f[1] === '0')?.[0];
    expect(free, 'a controller without a v1 hierarchy').toBeDefined();
    const unmounted = falconet(['capture', '-w', '/dev/null', '--cgroup-hierarchy', free!, '--duration', '1']);
    expect(unmounted.code).toBe(2);
    expect(unmounted.stderr).toContain(`falconet: --cgroup-hierarchy ${free}: the cgroup controller '${free}' is not mounted as a v1 hierarchy here`);
    const wait = falconet(['run', '--metadata-wait', '-5']);
    expect(wait.code).toBe(2);
    expect(wait.stderr).toContain("option '--metadata-wait <ms>' argument '-5' is invalid. expected a whole number of milliseconds, 0 or more");
  });
});
