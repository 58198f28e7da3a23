// bench/engine: events/s through the full pipeline (decode -> process/fd state -> rules) on a
// synthetic stream of mixed syscalls, against a baseline that only decodes, in the same run.
// Every variant runs once per round, rounds interleaved, and each figure is the variant's best round:
// on a shared machine the best round is the one least disturbed, and all variants get the same tries.
//
//   npm run bench -- engine     (or: node bench/engine/run.mjs [records] [rounds] [ruleset label filter])
import { fileURLToPath } from 'node:url';
import { decodeAndState, decodeOnly, fullPipeline, ruleset, syntheticBatches } from './pipeline.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const ONLY = process.argv[4] ?? '';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPAT = fileURLToPath(new URL('../../../shared/compat', import.meta.url));

const batches = syntheticBatches(N);
const sets = [
  ['rules/default.yaml', [`${ROOT}/rules/default.yaml`]],
  ['falco_rules.yaml', [`${COMPAT}/falco_rules.yaml`]],
  ['falco stable+incubating+sandbox', [`${COMPAT}/falco_rules.yaml`, `${COMPAT}/falco-incubating_rules.yaml`, `${COMPAT}/falco-sandbox_rules.yaml`]],
];

const variants = [
  { label: 'decode only (baseline)', run: (bs) => decodeOnly(bs) },
  { label: 'decode+state (no rules)', run: (bs) => decodeAndState(bs) },
  ...sets
    .filter(([label]) => label.includes(ONLY))
    .map(([label, files]) => {
      const rs = ruleset(files);
      return { label: `decode+state+rules ${label}`, rules: rs.rules().length, run: (bs) => fullPipeline(bs, rs) };
    }),
];

// Warm-up: a few batches through every variant so the JIT has compiled them before timing.
for (const v of variants) v.run(batches.slice(0, 4));

const secs = variants.map(() => Infinity);
const outs = [];
for (let r = 0; r < ROUNDS; r++) {
  variants.forEach((v, i) => {
    const t0 = process.hrtime.bigint();
    outs[i] = v.run(batches);
    secs[i] = Math.min(secs[i], Number(process.hrtime.bigint() - t0) / 1e9);
  });
}

console.log(`engine bench: ${N} synthetic records in ${batches.length} batches, best of ${ROUNDS} rounds, node ${process.version}`);
variants.forEach((v, i) => {
  const rate = `${(N / secs[i] / 1e6).toFixed(2)} M events/s`;
  const ratio = i === 0 ? '' : `  (${(secs[i] / secs[0]).toFixed(2)}x the baseline's time`;
  const rules = v.rules === undefined ? (i === 0 ? '' : ')') : `; ${v.rules} rules, ${outs[i].alerts} alerts)`;
  console.log(`  ${v.label.padEnd(52)} ${rate}${ratio}${rules}`);
});
const mem = process.memoryUsage();
console.log(`  rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
