// Profiles the full pipeline (decode -> state -> rules) on the synthetic stream, around the timed loop
// only (rule loading and stream encoding stay out of the profile), and prints the top self-time
// functions. Writes the raw .cpuprofile too, for Chrome DevTools.
//
//   node bench/engine/profile.mjs [records] [rules file... | state | decode]     (after npx tsc -p .)
// `state` profiles decode+state without rules, `decode` the decoder alone.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeAndState, decodeOnly, fullPipeline, ruleset, syntheticBatches } from './pipeline.mjs';

const N = Number(process.argv[2] ?? 300_000);
const COMPAT = fileURLToPath(new URL('../../../shared/compat', import.meta.url));
const files = process.argv.length > 3 ? process.argv.slice(3) : [`${COMPAT}/falco_rules.yaml`];

const batches = syntheticBatches(N);
const run =
  files[0] === 'state' ? () => decodeAndState(batches)
  : files[0] === 'decode' ? () => decodeOnly(batches)
  : ((rs) => () => fullPipeline(batches, rs))(ruleset(files));
run();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const t0 = process.hrtime.bigint();
run();
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const { profile } = await session.post('Profiler.stop');
session.disconnect();
const out = join(tmpdir(), 'falconet-engine.cpuprofile');
writeFileSync(out, JSON.stringify(profile));

// Self time per function (name + location), from the sample counts.
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
let total = 0;
for (const [id, c] of counts) {
  const f = byId.get(id).callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + c);
  total += c;
}
console.log(`${N} records in ${secs.toFixed(2)} s (${(N / secs / 1e6).toFixed(2)} M/s under the profiler); ${out}`);
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);
