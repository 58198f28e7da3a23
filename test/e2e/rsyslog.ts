// A real rsyslogd for the syslog-delivery e2e tests, private to one test: its own config, work
// directory, pid file and unix socket under `dir` (never /dev/log, never the system's rsyslog), UDP
// and TCP inputs on 127.0.0.1, and every message it parsed written at once, one line each, to
// `dir/messages.log`, where records() reads what rsyslog made of it. useRsyslog() gives a describe
// block its own, started before its tests and stopped after them.
//
// What rsyslog 8.2302 (Debian 12) does with what it receives, so tests assert the right thing:
// - Control characters: EscapeControlCharactersOnReceive (default, left on) replaces every byte below
//   0x20 with `#` and three octal digits (LF `#012`, ESC `#033`, TAB `#011`, NUL `#000`), in the raw
//   message too: %rawmsg% never holds a control byte, only its escape. A trailing LF is dropped
//   (DropTrailingLFOnReception). DEL (0x7f) and bytes >= 0x80 pass unchanged. So a test proving the
//   sender escaped control characters asserts rsyslogEscapes(raw) is empty: a `#ooo` there is a raw
//   control byte the sender let through (falconet itself escapes as `\xNN`, so the two cannot meet).
// - RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`): app-name is taken as sent (`-` when
//   nil, no length limit); the timestamp must be RFC 3339 with a `T` or `-`, else the RFC 5424 parser
//   gives up and the RFC 3164 one makes nonsense of it (empty app, the header in msg). A byte-order
//   mark before MSG stays in msg (falconet's rfc5424() sends one: expect `\ufeff` + text). Broken
//   structured data can cost the message (`[x` leaves msg "g"). A default 8 KiB limit would cut a
//   longer message and read its rest as further messages, so maxMessageSize is 64 KiB here.
// - RFC 3164 (`<PRI>Mmm dd hh:mm:ss tag[pid]: msg`): app is the tag up to `[`, `:` or `/`. On the
//   unix socket no hostname is expected (as syslog(3) sends): a hostname there becomes the app. Over
//   UDP and TCP a hostname is expected, but a first word holding `[` or ending in `:` is taken as the
//   tag. The space after `tag:` is removed from msg (remove.msgFirstSpace).
// - TCP: octet-counting framing (RFC 6587, `LEN SP MSG`) and LF framing both work, per frame, on one
//   connection; an octet-counted message may hold an LF (escaped `#012` as above).
// - Rate limiting is off on every input and repeated messages are not reduced: N sends, N records.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { freePort } from './webhook.js'; // it picks UDP ports too

const RSYSLOGD = '/usr/sbin/rsyslogd';
const LOGGER = '/usr/bin/logger';
/** The longest unix socket path Linux takes (sun_path is 108 bytes, NUL included). */
const MAX_SOCKET_PATH = 107;

/** Why rsyslog tests cannot run here, or undefined. They fail with this reason; they never skip. */
export function rsyslogProblem(): string | undefined {
  if (!existsSync(RSYSLOGD)) return `${RSYSLOGD} is missing: bash scripts/setup-tests.sh installs rsyslog`;
  const logger = spawnSync(LOGGER, ['--help'], { encoding: 'utf8' });
  if (logger.error) return `${LOGGER} is missing (${logger.error.message}): bash scripts/setup-tests.sh installs util-linux`;
  if (!logger.stdout.includes('--octet-count')) return `${LOGGER} is too old for --octet-count (util-linux >= 2.26 has it)`;
  return undefined;
}

/** One message as rsyslog parsed it. */
export interface SyslogRecord {
  /** As rsyslog names them: "local3", "user", "daemon"... */
  facility: string;
  /** "warning", "err", "notice"... */
  severity: string;
  /** RFC 5424 APP-NAME, or the RFC 3164 tag without `[pid]`. */
  app: string;
  msg: string;
  /** The whole message as received (PRI and header included), control bytes escaped by rsyslog. */
  raw: string;
}

export interface Rsyslog {
  readonly dir: string;
  /** The private imuxsock input (a datagram socket, as /dev/log). */
  readonly socketPath: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly logFile: string;
  /** The running rsyslogd; a new one after restart(). */
  readonly pid: number;
  /** Everything written to logFile so far, oldest first. */
  records(): SyslogRecord[];
  /** SIGTERM to the rsyslogd this fixture started; resolves once it exited. */
  stop(): Promise<void>;
  /** stop(), then start again on the same socket and ports (for reconnect tests). */
  restart(): Promise<void>;
}

/** The `#ooo` escapes rsyslog wrote for control bytes it received, and any DEL, found in `s`. */
export function rsyslogEscapes(s: string): string[] {
  return s.match(/#[0-3][0-7]{2}|\x7f/g) ?? [];
}

/**
 * A private rsyslogd for the tests of the enclosing describe block: started before them (unless
 * `why` says they cannot run), stopped after them, and an 'is possible here' test that fails with
 * `why`, or when rsyslogd did not start. The returned function gives it to the tests.
 */
export function useRsyslog(why: string | undefined): () => Rsyslog {
  let rs: Rsyslog | undefined;
  beforeAll(async () => {
    if (why) return;
    rs = await startRsyslog(tempDir());
  });
  afterAll(async () => {
    await rs?.stop();
  });
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    expect(rs?.pid, 'rsyslogd did not start').toBeGreaterThan(0);
  });
  return () => {
    if (!rs) throw new Error(why ?? 'rsyslogd did not start');
    return rs;
  };
}

/** Starts a private rsyslogd in `dir` (created if missing); resolves once all three inputs listen. */
export async function startRsyslog(dir: string): Promise<Rsyslog> {
  mkdirSync(dir, { recursive: true });
  const socketPath = join(dir, 'log.sock');
  if (socketPath.length > MAX_SOCKET_PATH) throw new Error(`rsyslog: socket path too long for a unix socket: ${socketPath}`);
  const logFile = join(dir, 'messages.log');
  const conf = join(dir, 'rsyslog.conf');
  const pidFile = join(dir, 'rsyslogd.pid');
  const udpPort = await freePort('udp');
  const tcpPort = await freePort('tcp');
  writeFileSync(conf, config({ dir, socketPath, logFile, udpPort, tcpPort }));
  writeFileSync(logFile, '');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    const out = { text: '' };
    const c = spawn(RSYSLOGD, ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (d: Buffer) => (out.text += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (out.text += d.toString()));
    const spawned = new Promise<void>((resolve, reject) => c.once('spawn', resolve).once('error', reject));
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    await spawned;
    child = c;
    const problem = await untilListening(c, socketPath, udpPort, tcpPort);
    if (problem) {
      await kill(c, exited);
      throw new Error(`rsyslogd did not start: ${problem}\n${out.text}(internal log: ${join(dir, 'rsyslogd.log')})`);
    }
  };
  const stop = async (): Promise<void> => {
    if (child) await kill(child, exited);
    child = undefined;
  };
  await launch();
  return {
    dir,
    socketPath,
    udpPort,
    tcpPort,
    logFile,
    get pid() {
      return child?.pid ?? 0;
    },
    records: () => parseRecords(readFileSync(logFile, 'utf8')),
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

/** Quoted for a RainerScript string. */
const q = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * One line per message: facility, severity, app, the raw message JSON-escaped (no TAB, no LF), and
 * msg last, so a msg holding anything still splits (rsyslog escapes TAB on receive anyway).
 */
function config(o: { dir: string; socketPath: string; logFile: string; udpPort: number; tcpPort: number }): string {
  return `# Written by test/e2e/rsyslog.ts for one test; started as rsyslogd -n -f this -i pidfile.
global(workDirectory=${q(o.dir)} maxMessageSize="64k")
$RepeatedMsgReduction off
template(name="record" type="string" string="%syslogfacility-text%\\t%syslogseverity-text%\\t%app-name%\\t%rawmsg:::json%\\t%msg%\\n")
parser(name="test.rfc3164" type="pmrfc3164" remove.msgFirstSpace="on")
ruleset(name="received" parser=["rsyslog.rfc5424", "test.rfc3164"]) {
  action(type="omfile" file=${q(o.logFile)} template="record" asyncWriting="off" flushOnTXEnd="on")
}
module(load="imuxsock" SysSock.Use="off" SysSock.RateLimit.Interval="0")
input(type="imuxsock" Socket=${q(o.socketPath)} CreatePath="off" UseSpecialParser="off" ParseHostname="off" RateLimit.Interval="0" ruleset="received")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${o.udpPort}" RateLimit.Interval="0" ruleset="received")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${o.tcpPort}" SupportOctetCountedFraming="on" RateLimit.Interval="0" ruleset="received")
# rsyslogd's own messages, apart from what the tests sent
action(type="omfile" file=${q(join(o.dir, 'rsyslogd.log'))})
`;
}

/** The lines of messages.log; a last line still being written (no LF yet) is left for the next call. */
export function parseRecords(text: string): SyslogRecord[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => {
    const f = line.split('\t');
    if (f.length < 5) throw new Error(`rsyslog: a line of messages.log is not a record: ${JSON.stringify(line)}`);
    const [facility, severity, app, rawJson] = f as [string, string, string, string];
    return { facility, severity, app, raw: JSON.parse(`"${rawJson}"`) as string, msg: f.slice(4).join('\t') };
  });
}

/** Waits until the socket exists and `c` holds both ports; the reason when it does not in time. */
async function untilListening(c: ChildProcess, socketPath: string, udpPort: number, tcpPort: number): Promise<string | undefined> {
  const pid = c.pid!;
  for (const end = Date.now() + 10_000; Date.now() < end; await sleep(25)) {
    if (c.exitCode !== null || c.signalCode !== null) return `it exited (${c.exitCode ?? c.signalCode})`;
    const ready = isSocket(socketPath) && ownsPort(pid, 'udp', udpPort) && ownsPort(pid, 'tcp', tcpPort) && (await accepts(tcpPort));
    if (ready) return undefined;
  }
  const missing = [
    isSocket(socketPath) ? '' : `no socket ${socketPath}`,
    ownsPort(pid, 'udp', udpPort) ? '' : `not bound to udp 127.0.0.1:${udpPort}`,
    ownsPort(pid, 'tcp', tcpPort) ? '' : `not listening on tcp 127.0.0.1:${tcpPort}`,
  ];
  return `after 10 s: ${missing.filter(Boolean).join(', ') || 'tcp did not accept'}`;
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * Whether process `pid` holds a socket bound to 127.0.0.1:port (listening, for TCP): the port was
 * free when picked, but another process may have taken it since, and rsyslog only logs that.
 */
function ownsPort(pid: number, proto: 'udp' | 'tcp', port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = readFileSync(`/proc/net/${proto}`, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === local && (proto === 'udp' || f[3] === '0A'))
    .map((f) => `socket:[${f[9]}]`);
  if (!inodes.length) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => inodes.includes(readlinkSync(`/proc/${pid}/fd/${fd}`)));
  } catch {
    return false;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves once it exited. */
async function kill(c: ChildProcess, exited: Promise<void>): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
