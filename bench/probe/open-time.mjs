// How long openProbe takes with `reloadable` (every BPF program loaded, so that a rules reload can
// attach others with setEventTypes) against the baseline of loading only what the rules need, in
// the same run, interleaved; and what one setEventTypes costs. Root.
//   node bench/probe/open-time.mjs [rounds]
import { openProbe } from '../../dist/engine/probe/index.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const TYPES = ['execve', 'openat', 'connect'];
const times = { plain: [], reloadable: [], set: [] };
for (let i = 0; i < ROUNDS; i++) {
  for (const reloadable of [false, true]) {
    const t = performance.now();
    const p = openProbe({ eventTypes: TYPES, reloadable, onBatch: () => {} });
    times[reloadable ? 'reloadable' : 'plain'].push(performance.now() - t);
    if (reloadable) {
      const t2 = performance.now();
      p.setEventTypes([...TYPES, 'unlinkat', 'ptrace', 'setuid']);
      times.set.push(performance.now() - t2);
    }
    p.stop();
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.plain);
console.log(`probe open, median of ${ROUNDS}, node ${process.version}`);
console.log(`  openProbe, the rules' programs only (baseline)   ${base.toFixed(0)} ms`);
console.log(`  openProbe reloadable (every program loaded)      ${median(times.reloadable).toFixed(0)} ms  (${(median(times.reloadable) / base).toFixed(2)}x the baseline)`);
console.log(`  setEventTypes, 3 types added                     ${median(times.set).toFixed(1)} ms`);
