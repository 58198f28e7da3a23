// Probe overhead and delivery benchmark. Same run, same machine:
//   1. a storm of getppid (no rule needs it) and of openat+close /dev/null (rules need openat),
//      timed with no probe and with the probe attached for a typical rule set, interleaved rounds;
//   2. events/s delivered to JS (decoded) during the openat storm, with drops;
//   3. the batching choice: batchBytes 1 (a JS call per record), 64 KiB and 1 MiB;
//   4. sustained rate: several openat storms at once (more than 200k wanted records/s), default
//      ring and batch sizes, every record decoded: records/s delivered and drops;
//   5. the raw_syscalls fallback (r_sys_exit, which runs on every syscall's exit once attached): the
//      getppid and openat storms with the probe on the rule set alone, on the rule set plus
//      init_module/finit_module (their own tracepoints missing: r_sys_exit attached with those two
//      slots), and plus ia32 capture (r_sys_exit attached with every ia32 slot), interleaved rounds.
// Usage (root): make -C native/probe && npx node-gyp rebuild && npx tsc -p tsconfig.json &&
//               make -C bench/probe storm && node bench/probe/run.mjs [rounds] [section...]
//   sections: overhead batching sustained fallback (default: all)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const { openProbe, decodeBatch, forEachRecord } = await import(path.join(here, '../../dist/engine/probe/index.js'));
const STORM = path.join(here, 'storm');
const ROUNDS = Number(process.argv[2] ?? 9);
const SECTIONS = new Set(process.argv.slice(3));
const want = (name) => SECTIONS.size === 0 || SECTIONS.has(name);
const N_GETPPID = 1_000_000;
const N_OPENAT = 100_000;

// What a Falco-like default rule set asks for (never getppid, close, read...).
const RULE_TYPES = [
  'execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'open', 'openat', 'openat2', 'creat',
  'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'mkdir', 'mkdirat', 'rmdir', 'link', 'linkat',
  'symlink', 'symlinkat', 'chmod', 'fchmod', 'fchmodat', 'connect', 'accept', 'accept4', 'bind', 'listen',
  'setuid', 'setgid', 'setresuid', 'setresgid', 'ptrace', 'mount', 'umount2', 'memfd_create', 'unshare',
  'setns', 'chroot', 'bpf', 'dup2', 'dup3', 'chdir',
];

const storm = (kind, n) => Number(execFileSync(STORM, [kind, String(n)], { encoding: 'utf8' }).trim());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startProbe(opts) {
  let delivered = 0;
  const p = openProbe({
    ...opts,
    onBatch(buf) {
      if (opts.decode) delivered += decodeBatch(buf, p.bootToEpochNs).length;
      else delivered += forEachRecord(buf, () => {});
    },
  });
  return { p, delivered: () => delivered };
}

// Runs the storm in a child while this process keeps consuming: execFileSync would block the loop.
function stormAsync(kind, n) {
  return new Promise((resolve, reject) => {
    import('node:child_process').then(({ execFile }) =>
      execFile(STORM, [kind, String(n)], (err, out) => (err ? reject(err) : resolve(Number(out.trim())))),
    );
  });
}

async function overhead() {
  const g = { off: [], on: [] };
  const o = { off: [], on: [] };
  let delivered = 0, seconds = 0, drops = 0;
  storm('getppid', N_GETPPID / 4); // warm up
  const measureOff = () => { g.off.push(storm('getppid', N_GETPPID)); o.off.push(storm('openat', N_OPENAT)); };
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) measureOff(); // alternate the order: the machine's load drifts
    const { p, delivered: d } = startProbe({ eventTypes: RULE_TYPES, decode: true });
    g.on.push(await stormAsync('getppid', N_GETPPID));
    const before = d();
    const t0 = process.hrtime.bigint();
    o.on.push(await stormAsync('openat', N_OPENAT));
    await sleep(60);
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    delivered += d() - before;
    const s = p.stats();
    drops += s.ringDrops + s.batchDrops;
    p.stop();
    if (r % 2 === 1) measureOff();
  }
  const line = (name, x) =>
    console.log(`${name.padEnd(34)} no probe ${median(x.off).toFixed(1).padStart(7)} ns   probe ${median(x.on).toFixed(1).padStart(7)} ns   ratio x${(median(x.on) / median(x.off)).toFixed(3)}`);
  console.log(`\n== overhead (median of ${ROUNDS} interleaved rounds, probe on ${RULE_TYPES.length} event types) ==`);
  line(`getppid x${N_GETPPID} (not needed)`, g);
  line(`openat+close x${N_OPENAT} (needed)`, o);
  console.log(`delivered+decoded during openat storms: ${delivered} records, ${(delivered / seconds).toFixed(0)} records/s, drops ${drops}`);
}

async function batching() {
  const n = 3 * N_OPENAT;
  console.log(`\n== batching: openat storm x${n}, probe on openat only, records counted in JS ==`);
  for (const batchBytes of [1, 64 << 10, 1 << 20]) {
    const { p, delivered } = startProbe({ eventTypes: ['openat'], batchBytes, decode: false });
    const cpu0 = process.cpuUsage();
    const stormNs = await stormAsync('openat', n);
    let last = -1;
    while (delivered() !== last) { last = delivered(); await sleep(100); } // drain
    const cpu = process.cpuUsage(cpu0);
    const s = p.stats();
    p.stop();
    const cpuPerRec = (cpu.user + cpu.system) / Math.max(1, s.received);
    console.log(`batchBytes ${String(batchBytes).padStart(8)}: storm ${stormNs.toFixed(0).padStart(6)} ns/openat, delivered ${String(delivered()).padStart(7)}/${s.received} received, JS calls ${String(s.batches).padStart(6)}, monitor CPU ${cpuPerRec.toFixed(2)} us/record, ringDrops ${s.ringDrops}, batchDrops ${s.batchDrops}`);
  }
}

async function sustained(procs = 2) {
  const n = 5 * N_OPENAT;
  console.log(`\n== sustained rate: ${procs} openat storms x${n} at once, default ring and batch, records decoded ==`);
  for (let r = 0; r < 3; r++) {
    const { p, delivered } = startProbe({ eventTypes: RULE_TYPES, decode: true });
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: procs }, () => stormAsync('openat', n)));
    const stormSec = Number(process.hrtime.bigint() - t0) / 1e9;
    let last = -1;
    while (delivered() !== last) { last = delivered(); await sleep(100); } // drain
    const s = p.stats();
    p.stop();
    const offered = procs * n;
    console.log(`round ${r + 1}: ${offered} openat in ${stormSec.toFixed(2)} s = ${(offered / stormSec).toFixed(0)} wanted records/s offered; delivered ${delivered()} (received ${s.received}), ringDrops ${s.ringDrops}, batchDrops ${s.batchDrops}`);
  }
}

// r_sys_exit's price on syscalls it does not serve: getppid is in no slot in any configuration here;
// openat is served by its own tracepoint in all of them (r_sys_exit adds its slot check on top).
async function fallback() {
  const configs = [
    { name: 'no probe' },
    { name: 'rule set', eventTypes: RULE_TYPES },
    { name: '+ init_module, finit_module', eventTypes: [...RULE_TYPES, 'init_module', 'finit_module'] },
    { name: '+ ia32', eventTypes: RULE_TYPES, ia32: true },
  ];
  const g = configs.map(() => []);
  const o = configs.map(() => []);
  const slots = configs.map(() => 0);
  storm('getppid', N_GETPPID / 4); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    // rotate the order each round: the machine's load drifts
    for (let k = 0; k < configs.length; k++) {
      const i = (k + r) % configs.length;
      const c = configs[i];
      const p = c.eventTypes ? openProbe({ eventTypes: c.eventTypes, ia32: c.ia32, onBatch() {} }) : undefined;
      if (p) slots[i] = p.rawSlots().length;
      g[i].push(await stormAsync('getppid', N_GETPPID));
      o[i].push(await stormAsync('openat', N_OPENAT));
      p?.stop();
    }
  }
  console.log(`\n== raw_syscalls fallback (median of ${ROUNDS} rotated rounds; ratio against no probe, and against the rule set alone) ==`);
  const base = (xs) => median(xs);
  configs.forEach((c, i) => {
    const slotNote = c.eventTypes ? `, r_sys_exit slots ${slots[i]}` : '';
    console.log(
      `${c.name.padEnd(30)} getppid ${base(g[i]).toFixed(1).padStart(7)} ns x${(base(g[i]) / base(g[0])).toFixed(3)} (x${(base(g[i]) / base(g[1])).toFixed(3)})` +
        `   openat+close ${base(o[i]).toFixed(1).padStart(7)} ns x${(base(o[i]) / base(o[0])).toFixed(3)} (x${(base(o[i]) / base(o[1])).toFixed(3)})${slotNote}`,
    );
  });
}

if (want('overhead')) await overhead();
if (want('batching')) await batching();
if (want('sustained')) await sustained();
if (want('fallback')) await fallback();
