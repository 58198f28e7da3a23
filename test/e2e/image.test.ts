// The container image, run as README.md's "Running it in a container" says. The image is built once
// (scripts/build-image.sh: a Debian base made with debootstrap, no image registry; tagged with a hash
// of its inputs, so a run with nothing changed reuses it). The README's `docker run` line is read
// from the README itself, so the two cannot drift; only what this test host cannot do is changed
// (see hostAdjusted). Then an unrelated busybox container gets a shell with a terminal
// (`docker exec -it` under `script`), and the alert must land in the alert log on the host volume,
// attributed to that container by name and image.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/cli.js';
import { BUSYBOX_IMAGE, docker, dockerProblem, removeContainers, startContainer } from './docker.js';
import { until, type JsonAlert } from './env.js';
import { must } from './spawn.js';

const MONITOR = `falconet-image-${process.pid}`;
const TARGET = `falconet-image-target-${process.pid}`;
const RULE = 'Terminal shell in container';

/**
 * This host's root lacks CAP_SYS_RESOURCE in its bounding set, and Docker 20.10's --privileged asks
 * for every capability, so a privileged container cannot start here. These are the capabilities the
 * monitor uses, granted one by one, without the seccomp and AppArmor profiles, as --privileged would.
 * (Docker 20.10 does not know CAP_BPF and CAP_PERFMON; CAP_SYS_ADMIN grants what they would.)
 */
const HOST_CAPS = [
  ...['SYS_ADMIN', 'SYS_PTRACE', 'DAC_READ_SEARCH'].flatMap((c) => ['--cap-add', c]),
  ...['--security-opt', 'apparmor=unconfined', '--security-opt', 'seccomp=unconfined'],
];

function whyNot(): string | undefined {
  if (process.getuid?.() !== 0) return 'the image test needs root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel exposes no BTF (/sys/kernel/btf/vmlinux)';
  return dockerProblem();
}

/** The arguments of the README's `docker run` line for a real host (it has no quoting). */
function readmeDockerRun(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Running it in a container'));
  if (!section) throw new Error('README.md has no "Running it in a container" section');
  const block = /```sh\n(docker run [^`]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('the section has no ```sh block starting with docker run');
  const line = block.replace(/\\\n/g, ' ').trim();
  if (/['"$`#\n]/.test(line)) throw new Error(`the docker run line must be one command without quoting: ${line}`);
  return line.split(/\s+/).slice(2);
}

/**
 * The README's arguments with this test's names and this host's limits, and the webserver on a port
 * of this run's (the container shares the host's network, where another falconet may hold 8765).
 */
function hostAdjusted(args: string[], image: string, logDir: string, port: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--privileged') {
      out.push(...HOST_CAPS);
    } else if (a === '--name') {
      out.push(a, MONITOR);
      i++;
    } else if (a === '--restart') {
      i++; // a monitor that exits must stay exited, for the test to see it
    } else {
      out.push(a === 'falconet:latest' ? image : a.replace(/^\/var\/log\/falconet:/, `${logDir}:`));
    }
  }
  return [...out, '-o', `webserver.listen_port=${port}`];
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function alertsIn(file: string): JsonAlert[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonAlert);
}

describe('the container image (dockerd, live kernel)', () => {
  const why = whyNot();
  let image = '';
  let runArgs: string[] = [];
  let logFile = '';
  let logs = '';
  let exitCode: number | undefined;
  let shells: JsonAlert[] = [];
  let health = { status: 0, body: '' };
  let metrics = { status: 0, body: '' };

  beforeAll(async () => {
    if (why) return;
    // A cold build takes minutes: not with spawnSync, which would starve vitest's worker RPC.
    image = (await must('bash', [join(ROOT, 'scripts/build-image.sh')], { timeoutMs: 1_200_000 })).split('\n').at(-1)!;

    const logDir = tempDir();
    logFile = join(logDir, 'alerts.json');
    const port = await freePort();
    runArgs = hostAdjusted(readmeDockerRun(readFileSync(join(ROOT, 'README.md'), 'utf8')), image, logDir, port);
    startContainer(TARGET, 'sleep', '3600');
    removeContainers(MONITOR);
    docker('run', ...runArgs);
    const logsNow = () => spawnSync('docker', ['logs', MONITOR], { encoding: 'utf8' }).stderr;
    const running = () => docker('inspect', '-f', '{{.State.Running}}', MONITOR) === 'true';
    await until(() => logsNow().includes('probe attached') || !running(), 60_000);
    if (!logsNow().includes('probe attached')) throw new Error(`the monitor did not attach its probe:\n${logsNow()}`);

    // A person's shell in the unrelated container: a terminal (script's pty), then exit.
    const sh = spawnSync('script', ['-qec', `docker exec -it ${TARGET} sh -c 'exit 0'`, '/dev/null'], { encoding: 'utf8', timeout: 20_000 });
    if (sh.status !== 0) throw new Error(`docker exec -it failed: ${sh.stdout}${sh.stderr}`);
    const found = () => alertsIn(logFile).filter((a) => a.rule === RULE && a.output_fields['container.name'] === TARGET);
    await until(() => found().length > 0, 10_000);
    shells = found();

    // The webserver in the container, on the host's loopback (--network host), as a local scrape sees it.
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    health = await get('/healthz');
    metrics = await get('/metrics');

    // docker stop sends SIGTERM: the monitor detaches and drains, then exits 0.
    spawnSync('docker', ['stop', '-t', '20', MONITOR], { stdio: 'ignore' });
    logs = logsNow();
    exitCode = Number(docker('inspect', '-f', '{{.State.ExitCode}}', MONITOR));
  }, 30 * 60_000);

  afterAll(() => removeContainers(MONITOR, TARGET));

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it("runs the README's line, adjusted only where this host cannot grant --privileged", () => {
    expect(runArgs).toEqual(expect.arrayContaining(['--pid', 'host', '-v', '/proc:/host/proc:ro', '-v', '/etc:/host/etc:ro', '-v', '/var/run/docker.sock:/var/run/docker.sock']));
    expect(runArgs).not.toContain('--privileged');
    expect(docker('image', 'inspect', '-f', '{{join .Config.Entrypoint " "}} {{join .Config.Env " "}}', image)).toMatch(/^falconet run -c \/etc\/falconet\/falconet.yaml .*FALCONET_HOST_ROOT=\/host/);
  });

  it('finds the shell opened with a terminal in the other container, with its name and image, in the host-mounted log', () => {
    const seen = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '(no alert log)';
    expect(shells, `alerts in ${logFile}:\n${seen}\nmonitor log:\n${logs.slice(-4000)}`).toHaveLength(1);
    const id = docker('inspect', '-f', '{{.Id}}', TARGET);
    expect(shells[0]!.output_fields).toMatchObject({
      'container.name': TARGET,
      'container.id': id.slice(0, 12),
      'container.image.repository': BUSYBOX_IMAGE.split(':')[0],
      'container.image.tag': 'test',
      'proc.name': 'sh',
      'proc.cmdline': 'sh -c exit 0',
      'user.name': 'root',
    });
    expect(shells[0]!.output_fields['proc.tty']).not.toBe(0);
  });

  it('answers /healthz and /metrics from the container', () => {
    expect(health.status, health.body).toBe(200);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^falconet_probe_attached 1$/m);
    // the shell's match, counted under its rule
    expect(metrics.body).toMatch(new RegExp(`^falconet_rule_matches_total\\{[^}]*rule="${RULE}"[^}]*\\} [1-9]`, 'm'));
  });

  it('talks to the host dockerd through the mounted socket, and stops cleanly on docker stop', () => {
    expect(logs).toMatch(/"source":"docker".*"msg":"container metadata source connected"/);
    expect(exitCode, logs.slice(-4000)).toBe(0);
  });
});
