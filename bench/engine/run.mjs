// bench/engine: events/s through the full pipeline (decode -> process/fd state -> rules) on a
// synthetic stream of mixed syscalls, against a baseline that only decodes, in the same run.
//
//   npm run bench -- engine            (or: node bench/engine/run.mjs [records])
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Context } from '../../dist/engine/context.js';
import { Engine } from '../../dist/engine/engine.js';
import { fieldRegistry } from '../../dist/engine/fields/index.js';
import { decodeRecord, forEachRecord } from '../../dist/engine/probe/decoder.js';
import { StateMachine } from '../../dist/engine/state/apply.js';
import { ThreadTable } from '../../dist/engine/state/threads.js';
import { UserTable } from '../../dist/engine/users.js';
import { replayCgroupSource } from '../../dist/metadata/cgroup-source.js';
import { compileRuleset } from '../../dist/rules/compiler/index.js';
import { loadRules } from '../../dist/rules/index.js';
import { encodeBatches } from './encode.mjs';
import { syntheticProcs, syntheticRecords } from './synthetic.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPAT = fileURLToPath(new URL('../../../shared/compat', import.meta.url));

function ruleset(files) {
  const load = loadRules(files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') })), { fields: fieldRegistry });
  if (!load.ok) throw new Error(`rules did not load: ${files.join(', ')}`);
  const compiled = compileRuleset(load.rules, fieldRegistry, { matching: 'all' });
  if (compiled.errors.length) throw new Error(`rules did not compile: ${compiled.errors[0].message}`);
  return compiled.ruleset;
}

function decodeOnly(batches) {
  let n = 0;
  for (const buf of batches) forEachRecord(buf, (off) => { if (decodeRecord(buf, off, 0n).tid >= 0) n++; });
  return n;
}

function fullPipeline(batches, rs) {
  const threads = new ThreadTable();
  threads.seed(syntheticProcs(), replayCgroupSource.containerOf);
  const ctx = new Context(threads, new UserTable([{ uid: 0, name: 'root', home: '/root', shell: '/bin/sh' }]), 'bench');
  let alerts = 0;
  const engine = new Engine(rs, new StateMachine(threads, replayCgroupSource), ctx, () => alerts++);
  for (const buf of batches) forEachRecord(buf, (off) => engine.process(decodeRecord(buf, off, 0n)));
  return { events: engine.stats.events, alerts };
}

function time(fn) {
  const t0 = process.hrtime.bigint();
  const out = fn();
  return { out, secs: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const batches = encodeBatches(syntheticRecords(N));
const sets = [
  ['rules/default.yaml', [`${ROOT}/rules/default.yaml`]],
  ['falco_rules.yaml', [`${COMPAT}/falco_rules.yaml`]],
  ['falco stable+incubating+sandbox', [`${COMPAT}/falco_rules.yaml`, `${COMPAT}/falco-incubating_rules.yaml`, `${COMPAT}/falco-sandbox_rules.yaml`]],
];

// Warm up both paths so the JIT has compiled them before timing.
decodeOnly(batches.slice(0, 2));
fullPipeline(batches.slice(0, 2), ruleset(sets[1][1]));

const base = time(() => decodeOnly(batches));
const baseRate = N / base.secs;
console.log(`engine bench: ${N} synthetic records in ${batches.length} batches, node ${process.version}`);
console.log(`  decode only (baseline)            ${(baseRate / 1e6).toFixed(2)} M events/s`);
for (const [label, files] of sets) {
  const rs = ruleset(files);
  fullPipeline(batches.slice(0, 2), rs);
  const run = time(() => fullPipeline(batches, rs));
  const rate = N / run.secs;
  console.log(
    `  decode+state+rules ${label.padEnd(32)} ${(rate / 1e6).toFixed(2)} M events/s  ` +
      `(${(run.secs / base.secs).toFixed(2)}x the baseline's time; ${rs.rules().length} rules, ${run.out.alerts} alerts)`,
  );
}
const mem = process.memoryUsage();
console.log(`  rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
