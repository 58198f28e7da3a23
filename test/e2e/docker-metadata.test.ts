// Container metadata from a real dockerd reaches live alerts: a container started before the monitor
// and one started after it are named with their image, labels, mounts and privileges; the first alert
// of a brand-new container already carries its name (the alert waited for the lookup); every alert
// ends with the appended container and pod fields; Falco's stable rules that need the metadata fire.
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPAT, tempDir } from '../cli/cli.js';
import { BUSYBOX_IMAGE, docker, dockerProblem, removeContainers } from './docker.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';
import { startFakeApiServer, type FakeApiServer } from './k8s-api.js';

const why = kernelTestsPossible() ?? dockerProblem();

describe('container metadata from dockerd in live alerts', () => {
  const pre = 'falconet-meta-pre';
  const post = 'falconet-meta-post';
  let alerts: JsonAlert[] = [];
  let stderr = '';
  let preId = '';
  let postId = '';
  let imageId = '';
  let api: FakeApiServer | undefined;
  const data = tempDir();

  beforeAll(async () => {
    if (why) return;
    chmodSync(data, 0o755);
    removeContainers(pre, post);
    preId = docker('run', '-d', '--name', pre, '--network', 'none', '--label', 'team=blue', '-v', `${data}:/data:ro`, '--health-cmd', 'true', '--health-interval', '1h', BUSYBOX_IMAGE, 'sleep', '3600');
    imageId = docker('inspect', '-f', '{{.Image}}', pre);
    api = await startFakeApiServer();
    const rules = join(data, 'meta.yaml');
    writeFileSync(rules, `
- list: allowed_images
  items: [falconet-busybox]
- list: other_images
  items: [nginx]
- rule: Hostname read in a container
  desc: test
  condition: evt.type in (open, openat) and fd.name = /etc/hostname and container.id != host
  output: "hostname read by %proc.name (team=%container.label[team] labels=%container.labels priv=%container.privileged mounts=%container.mounts data=%container.mount.source[/data] type=%container.type image=%container.image imageid=%container.image.id digest=%container.image.digest started=%container.start_ts age=%container.duration full=%container.full_id netns=%container.host_network pidns=%container.host_pid ipcns=%container.host_ipc ip=%container.ip health=%container.healthcheck)"
  priority: NOTICE
- rule: Image not allowed (allowlist with it)
  desc: stays quiet
  condition: evt.type = execve and container.id != host and not container.image.repository in (allowed_images)
  output: "unexpected image %container.image.repository"
  priority: WARNING
- rule: Image not allowed (allowlist without it)
  desc: fires
  condition: evt.type = execve and container.id != host and proc.name = cat and not container.image.repository in (other_images)
  output: "unexpected image %container.image.repository"
  priority: WARNING
`);
    // --k8s-api: an API server with no pods of this node; its client connects and stays idle
    const args = ['-r', `${COMPAT}/falco_rules.yaml`, `${COMPAT}/falco-incubating_rules.yaml`, rules, '--rule-matching', 'all', '--metadata-wait', '3000'];
    ({ alerts, stderr } = await watchJson([...args, '--k8s-api', api.url, '--k8s-node', 'nowhere'], () => {
      docker('exec', pre, 'cat', '/etc/hostname');
      // a brand-new container whose init reads the file at once. (It cannot be --privileged here:
      // this host's bounding set lacks CAP_SYS_RESOURCE, and Docker 20.10 asks for every capability.)
      postId = docker('run', '-d', '--name', post, '--network', 'none', '--cap-add', 'SYS_ADMIN', BUSYBOX_IMAGE, 'sh', '-c', 'read x < /etc/hostname; exec sleep 3600');
      // a shell with a terminal in a container, as a person would open one
      spawnSync('script', ['-qec', `docker exec -it ${pre} sh -c 'exit 0'`, '/dev/null'], { stdio: 'ignore', timeout: 20_000 });
    }, 2000));
  }, 120_000);

  afterAll(async () => {
    removeContainers(pre, post);
    await api?.stop();
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    expect(stderr).toMatch(/"source":"docker".*"msg":"container metadata source connected"/);
    expect(stderr).toMatch(/"source":"kubernetes".*"msg":"container metadata source connected"/);
  });

  const hostnameReads = (id: string) => alerts.filter((a) => a.rule === 'Hostname read in a container' && a.output_fields['container.id'] === id.slice(0, 12));

  it('names a container started before the monitor, with its image, labels and mounts', () => {
    const [a] = hostnameReads(preId);
    expect(a, JSON.stringify(alerts.map((x) => x.rule))).toBeDefined();
    expect(a!.output_fields).toMatchObject({
      'container.name': pre,
      'container.image.repository': 'falconet-busybox',
      'container.image.tag': 'test',
      'container.image': BUSYBOX_IMAGE,
      'container.type': 'docker',
      'container.label[team]': 'blue',
      'container.privileged': false,
      'container.mount.source[/data]': data,
      'container.full_id': preId,
      'container.host_network': false,
      'container.host_pid': false,
      'container.host_ipc': false,
      // --network none: the container has no address of its own
      'container.ip': null,
      'container.image.id': imageId,
      // an image imported offline was never pulled from a registry: it has no registry digest
      'container.image.digest': null,
      'container.healthcheck': 'true',
      'k8s.ns.name': null,
      'k8s.pod.name': null,
    });
    expect(a!.output_fields['container.mounts']).toEqual([`${data}:/data:ro:false:rprivate`]);
    expect(Number(a!.output_fields['container.start_ts'])).toBeGreaterThan(0);
    expect(Number(a!.output_fields['container.duration'])).toBeGreaterThan(0);
    expect(a!.output_fields['container.labels']).toContain('team:blue');
  });

  it("gives the first alert of a brand-new container its name: the alert waits for the runtime's answer", () => {
    const first = hostnameReads(postId)[0];
    expect(first?.output_fields).toMatchObject({ 'container.name': post, 'container.privileged': false, 'proc.name': 'sh' });
    const stopped = JSON.parse(stderr.split('\n').find((l) => l.includes('"msg":"stopped"'))!) as { metadata: Record<string, number> };
    // whether it had to wait depends on who is first, the runtime's answer or the batch: never timed out
    expect(stopped.metadata.timedOut, JSON.stringify(stopped.metadata)).toBe(0);
    expect(stopped.metadata.lookups).toBeGreaterThan(0);
  });

  it('ends every alert with the container and pod fields (append_output)', () => {
    const [a] = hostnameReads(preId);
    expect(a!.output).toMatch(new RegExp(`container_id=${preId.slice(0, 12)} container_name=${pre} container_image_repository=falconet-busybox container_image_tag=test k8s_ns_name=<NA> k8s_pod_name=<NA>$`));
  });

  it("fires Falco's stable rules that need the metadata: a terminal shell, and no privileged launch for unprivileged containers", () => {
    expect(alerts.filter((a) => a.rule === 'Launch Privileged Container')).toEqual([]);
    const shell = alerts.filter((a) => a.rule === 'Terminal shell in container');
    expect(shell.map((a) => a.output_fields['container.name'])).toEqual([pre]);
    expect(shell[0]!.output_fields['container.image.repository']).toBe('falconet-busybox');
  });

  it('keeps an image allowlist quiet for an allowed image and fires for one that is not', () => {
    expect(alerts.filter((a) => a.rule === 'Image not allowed (allowlist with it)')).toEqual([]);
    const fired = alerts.filter((a) => a.rule === 'Image not allowed (allowlist without it)');
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.every((a) => a.output_fields['container.image.repository'] === 'falconet-busybox')).toBe(true);
  });
});
