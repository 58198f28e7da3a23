// The benign workload: ordinary work a container host does all day, run while the monitor watches
// with the default rules, which must raise no alert for any of it (falconet issue 18). Each step is
// what an administrator, a developer or an orchestrator does, not a reduced imitation: a package
// built, installed and removed with dpkg, an image built with a dpkg step, `npm ci` of this project,
// web servers under a burst of requests, a compile, log rotation, `docker exec` of ordinary commands,
// containers started and stopped. Every name and path carries TAG so that the test can tell this
// workload's alerts from those of whatever else runs on the host (see attribution.ts).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../cli/cli.js';
import { BUSYBOX_IMAGE } from '../docker.js';
import { DEBIAN_IMAGE } from '../debian.js';
import { run } from '../spawn.js';

export const TAG = `falconet-benign-${process.pid}`;
/**
 * Where the host steps work: a directory in root's home, as a developer's checkout would be. Not
 * /tmp: running a program from /tmp is what the "execution from /tmp" rule is for, and the compile
 * step runs what it built.
 */
export const WORK = join(homedir(), TAG);
/** The rotated logs: an application's own directory under /var/log, as packages make them. */
export const LOGDIR = `/var/log/${TAG}`;
const PKG = TAG; // a Debian package name: lower case, digits and '-' are allowed
const IMAGE = `${TAG}:built`;
const HTTPD = `${TAG}-httpd`;
const DEBIAN = `${TAG}-debian`;
const REQUESTS = 300;

/** What the workload did that attribution needs: every container it ran, as the runtime named it. */
export interface Done {
  /** Container ids (12 characters) of every container the workload started, build steps included. */
  containerIds: Set<string>;
  /** The steps that ran, in order, for the failure message. */
  steps: string[];
}

function step(done: Done, what: string): void {
  done.steps.push(`${new Date().toISOString()} ${what}`);
}

const docker = (...args: string[]) => run('docker', args, { timeoutMs: 120_000 });

/** The package tree: a shell script in /usr/bin, a configuration file in /etc, a doc directory. */
function packageTree(): string {
  const root = join(WORK, 'deb', PKG);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, `usr/share/doc/${PKG}`), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    `Package: ${PKG}\nVersion: 1.0\nArchitecture: all\nMaintainer: falconet tests <root@localhost>\nDescription: benign workload test package\n`,
  );
  writeFileSync(join(root, 'DEBIAN/conffiles'), `/etc/${PKG}.conf\n`);
  writeFileSync(join(root, `etc/${PKG}.conf`), 'greeting = hello\n');
  writeFileSync(join(root, `usr/bin/${PKG}`), `#!/bin/sh\ngrep greeting /etc/${PKG}.conf\n`);
  chmodSync(join(root, `usr/bin/${PKG}`), 0o755);
  writeFileSync(join(root, `usr/share/doc/${PKG}/README`), 'Installed and removed by test/e2e/benign.test.ts.\n');
  return root;
}

/** dpkg refuses to run while another dpkg or apt holds its lock (another test's set-up): wait for it. */
async function dpkg(...args: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run('dpkg', args);
      return;
    } catch (err) {
      if (attempt >= 30 || !/lock/i.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Builds the .deb, installs it on the host, runs what it installed, purges it (conffile included). */
async function hostPackage(done: Done): Promise<string> {
  step(done, 'dpkg-deb --build, dpkg -i, run, dpkg --purge on the host');
  const deb = join(WORK, `${PKG}.deb`);
  await run('dpkg-deb', ['--build', '--root-owner-group', packageTree(), deb]);
  await dpkg('-i', deb);
  await run(`/usr/bin/${PKG}`, []);
  await dpkg('--purge', PKG);
  return deb;
}

/**
 * `docker build` of an image whose step installs the .deb: the classic builder runs each RUN in a
 * container of its own, named at random, and prints "Running in <id>": those ids are recorded.
 */
async function imageBuild(done: Done, deb: string): Promise<void> {
  step(done, `docker build --network none (RUN dpkg -i) → ${IMAGE}`);
  const ctx = join(WORK, 'build');
  mkdirSync(ctx, { recursive: true });
  copyFileSync(deb, join(ctx, `${PKG}.deb`));
  writeFileSync(
    join(ctx, 'Dockerfile'),
    [`FROM ${DEBIAN_IMAGE}`, `COPY ${PKG}.deb /tmp/`, `RUN dpkg -i /tmp/${PKG}.deb && rm /tmp/${PKG}.deb`, `RUN ${PKG}`, ''].join('\n'),
  );
  const out = await run('docker', ['build', '--network', 'none', '-t', IMAGE, ctx], { timeoutMs: 180_000 });
  for (const m of (out.stdout + out.stderr).matchAll(/Running in ([0-9a-f]{12})/g)) done.containerIds.add(m[1]!);
  // BuildKit prints no container ids: without them the build's alerts could not be attributed.
  if (!/Running in /.test(out.stdout + out.stderr)) throw new Error(`docker build named no step container:\n${out.stdout}${out.stderr}`);
}

/** `npm ci` of this project in a copy of its manifest: thousands of files written, no scripts run. */
async function npmCi(done: Done): Promise<void> {
  step(done, 'npm ci --ignore-scripts --offline');
  const dir = join(WORK, 'npm');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  // --prefix puts the directory (and so TAG) on npm's command line; --offline: the packages come
  // from npm's cache, which installing this project filled.
  await run('npm', ['ci', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--prefix', dir], { cwd: dir, timeoutMs: 240_000 }).catch((err: Error) => {
    throw new Error(`${err.message}\n(ENOTCACHED: npm's cache lacks a package of the lock file; \`npm ci\` in the repository fills it)`);
  });
  if (!existsSync(join(dir, 'node_modules/yaml/package.json'))) throw new Error('npm ci installed nothing');
}

const SERVER = `
const http = require('node:http');
const srv = http.createServer((req, res) => res.end('ok ' + req.url + '\\n'));
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
`;

const CLIENT = `
const http = require('node:http');
const [port, n] = process.argv.slice(1).map(Number);
const agent = new http.Agent({ keepAlive: false });
(async () => {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/' + i, agent }, (r) => { r.resume(); r.on('end', resolve); }).on('error', reject);
    });
  }
  console.log(n);
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** A node http server on the host's loopback, and a client sending it REQUESTS requests. */
async function hostWeb(done: Done): Promise<void> {
  step(done, `node http server on 127.0.0.1, ${REQUESTS} requests`);
  // TAG rides on both command lines (an argument node ignores) so their alerts would be attributed.
  const server = spawn(process.execPath, ['-e', SERVER, TAG], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      server.once('exit', (code) => reject(new Error(`the http server exited ${code}`)));
    });
    const out = await run(process.execPath, ['-e', CLIENT, String(port), String(REQUESTS), TAG]);
    if (out.stdout.trim() !== String(REQUESTS)) throw new Error(`the client said ${out.stdout}`);
  } finally {
    server.kill('SIGTERM');
  }
}

/** busybox httpd in a container, on the container's own loopback, hit REQUESTS times from inside. */
async function containerWeb(done: Done): Promise<void> {
  step(done, `busybox httpd in ${HTTPD}, ${REQUESTS} wget requests through docker exec`);
  const loop =
    'until wget -q -O /dev/null http://127.0.0.1:8080/; do sleep 0.1; done; ' +
    `i=0; while [ $i -lt ${REQUESTS} ]; do wget -q -O /dev/null http://127.0.0.1:8080/index.html || exit 1; i=$((i+1)); done; echo $i`;
  const out = await docker('exec', HTTPD, 'sh', '-c', loop);
  if (out.stdout.trim() !== String(REQUESTS)) throw new Error(`the request loop said ${out.stdout}`);
}

/**
 * Long-running containers the exec and web steps use: started, later stopped and removed. httpd is
 * the container's command itself and serves a read-only volume, as web server containers are run
 * (started through busybox's sh instead, it would be re-executed through /proc/self/exe and be
 * named "exe").
 */
async function startServices(done: Done): Promise<void> {
  step(done, `docker run -d ${HTTPD} (busybox httpd), ${DEBIAN} (Debian, sleep)`);
  const www = join(WORK, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), '<p>ok</p>\n');
  const httpd = await docker(
    'run', '-d', '--name', HTTPD, '--network', 'none', '-v', `${www}:/www:ro`, BUSYBOX_IMAGE,
    'httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www',
  );
  const debian = await docker('run', '-d', '--name', DEBIAN, '--network', 'none', DEBIAN_IMAGE, 'sleep', 'infinity');
  for (const id of [httpd.stdout, debian.stdout]) done.containerIds.add(id.trim().slice(0, 12));
}

/** `docker exec` without a terminal, of what an operator looks at. */
async function execs(done: Done): Promise<void> {
  step(done, 'docker exec (no tty): ls, cat /etc/os-release, ps, sh -c, bash -c');
  await docker('exec', DEBIAN, 'ls', '-l', '/');
  await docker('exec', DEBIAN, 'cat', '/etc/os-release');
  await docker('exec', DEBIAN, 'sh', '-c', 'echo ok');
  await docker('exec', DEBIAN, 'bash', '-c', 'id && df -h / > /dev/null');
  await docker('exec', HTTPD, 'ps');
  await docker('exec', HTTPD, 'ls', '/www');
  await docker('exec', HTTPD, 'sh', '-c', 'echo ok');
}

/** Short-lived containers, as jobs and health checks start them; --cidfile gives their ids. */
async function shortContainers(done: Done): Promise<void> {
  step(done, 'docker run --rm busybox true; docker run --rm Debian bash -c');
  const runs: [string, string[]][] = [
    [`${TAG}-true`, [BUSYBOX_IMAGE, 'true']],
    [`${TAG}-bash`, [DEBIAN_IMAGE, 'bash', '-c', 'echo "hello from $(hostname)"; ls /etc > /dev/null; date']],
  ];
  for (const [name, cmd] of runs) {
    const cid = join(WORK, `${name}.cid`);
    await docker('run', '--rm', '--cidfile', cid, '--name', name, '--network', 'none', ...cmd);
    done.containerIds.add(readFileSync(cid, 'utf8').trim().slice(0, 12));
  }
}

/** Stops and removes the long-running containers, as a deployment's rollout does. */
async function stopServices(done: Done): Promise<void> {
  step(done, `docker stop, docker rm ${HTTPD} ${DEBIAN}`);
  await docker('stop', '-t', '2', HTTPD, DEBIAN);
  await docker('rm', HTTPD, DEBIAN);
}

const HELLO_C = `#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  size_t n = 0;
  for (int i = 0; i < argc; i++) n += strlen(argv[i]);
  printf("hello, %zu characters of arguments\\n", n);
  return 0;
}
`;

/** gcc of a small C file (preprocess, compile, assemble, link), then the program it built runs. */
async function compile(done: Done): Promise<void> {
  step(done, 'gcc -O2 hello.c, run it');
  const dir = join(WORK, 'cc');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'hello.c'), HELLO_C);
  // gcc's intermediate files go to TMPDIR: here, so that as's and ld's command lines carry TAG too.
  await run('gcc', ['-O2', '-Wall', '-o', join(dir, 'hello'), join(dir, 'hello.c')], { env: { ...process.env, TMPDIR: join(dir, 'tmp') } });
  const out = await run(join(dir, 'hello'), [TAG]);
  if (!out.stdout.startsWith('hello')) throw new Error(`the compiled program said ${out.stdout}`);
}

/**
 * logrotate, three rounds with lines appended in between: one log rotated by rename and recreated
 * (compressed, the oldest deleted), one by copytruncate, as packages' logrotate.d entries do.
 */
async function logRotation(done: Done): Promise<void> {
  step(done, 'logrotate -f (create + compress, copytruncate), 3 rounds');
  const conf = join(WORK, 'logrotate.conf');
  writeFileSync(
    conf,
    `${LOGDIR}/app.log {\n  rotate 2\n  create 0640 root root\n  compress\n  missingok\n}\n` +
      `${LOGDIR}/copy.log {\n  rotate 2\n  copytruncate\n  missingok\n}\n`,
  );
  mkdirSync(LOGDIR, { recursive: true });
  for (let round = 0; round < 3; round++) {
    await run('sh', ['-c', 'for f in app copy; do date >> "$1/$f.log"; echo "round $2" >> "$1/$f.log"; done', 'sh', LOGDIR, String(round)]);
    await run('logrotate', ['-f', '-s', join(WORK, 'logrotate.state'), conf]);
  }
  if (!existsSync(`${LOGDIR}/app.log.2.gz`) || !existsSync(`${LOGDIR}/copy.log.2`)) throw new Error('logrotate did not rotate');
}

/**
 * Two actions the default rules do report, one in a container and one on the host, run at the end:
 * proof that the monitor was watching the workload and that attribution finds its alerts (a probe
 * that saw nothing would otherwise pass for a workload that raised nothing). They are not benign and
 * are not counted as the workload's alerts; each must raise exactly its one alert.
 */
export const CANARIES: { rule: string; fields: Record<string, string> }[] = [
  { rule: 'Launch Package Management Process in Container', fields: { 'container.name': DEBIAN, 'proc.cmdline': 'dpkg-query -W bash' } },
  { rule: 'Search Private Keys or Passwords', fields: { 'proc.name': 'grep', 'proc.cmdline': `grep -c id_rsa ${WORK}/canary.txt` } },
];

async function canaries(done: Done): Promise<void> {
  step(done, 'canaries: docker exec dpkg-query; grep id_rsa on the host');
  await docker('exec', DEBIAN, 'dpkg-query', '-W', 'bash');
  writeFileSync(join(WORK, 'canary.txt'), 'id_rsa\n');
  await run('grep', ['-c', 'id_rsa', join(WORK, 'canary.txt')]);
}

/** The whole workload. npm ci runs beside the rest, as a CI job beside an operator. */
export async function runWorkload(): Promise<Done> {
  const done: Done = { containerIds: new Set(), steps: [] };
  mkdirSync(WORK, { recursive: true });
  const rest = async () => {
    await startServices(done);
    await execs(done);
    await containerWeb(done);
    await hostWeb(done);
    await shortContainers(done);
    const deb = await hostPackage(done);
    await imageBuild(done, deb);
    await compile(done);
    await logRotation(done);
    await canaries(done);
    await stopServices(done);
  };
  await Promise.all([npmCi(done), rest()]);
  return done;
}

/** Leaves nothing behind, whether or not the workload finished. */
export async function cleanUp(): Promise<void> {
  await run('docker', ['rm', '-f', HTTPD, DEBIAN, `${TAG}-true`, `${TAG}-bash`]).catch(() => undefined);
  await run('docker', ['rmi', '-f', IMAGE]).catch(() => undefined);
  await run('dpkg', ['--purge', PKG]).catch(() => undefined);
  for (const p of [WORK, LOGDIR]) rmSync(p, { recursive: true, force: true });
}
