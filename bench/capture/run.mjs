// bench/capture: what `falconet capture` spends per record before the disk, raw (the default: walk
// the batch for cgroup ids, base64 it into one line) against json (decode every record, one JSON
// line each), on the engine benchmark's synthetic stream; the baseline is the decode alone, in the
// same run. Also the bytes each format writes per record.
//
//   npm run bench -- capture     (or: node bench/capture/run.mjs [records] [rounds])
import { decodeRecord, forEachRecord } from '../../dist/engine/probe/decoder.js';
import { encodeLine } from '../../dist/engine/replay/format.js';
import { forEachCgroupId } from '../../dist/engine/replay/raw.js';
import { syntheticBatches } from '../engine/pipeline.mjs';
import { BOOT_NS } from '../engine/synthetic.mjs';

const N = Number(process.argv[2] ?? 500_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const batches = syntheticBatches(N);

const variants = [
  {
    label: 'decode only (baseline)',
    run() {
      let n = 0;
      for (const buf of batches) forEachRecord(buf, (off) => { if (decodeRecord(buf, off, BOOT_NS).tid >= 0) n++; });
      return n; // records, not bytes: the baseline writes nothing
    },
  },
  {
    label: 'json: decode + one event line a record',
    run() {
      let bytes = 0;
      for (const buf of batches) forEachRecord(buf, (off) => { bytes += encodeLine({ kind: 'event', record: decodeRecord(buf, off, BOOT_NS) }).length + 1; });
      return bytes;
    },
  },
  {
    label: 'raw: cgroup walk + one batch line',
    run() {
      let bytes = 0;
      const known = new Set();
      for (const buf of batches) {
        forEachCgroupId(buf, (_pid, id) => known.add(id));
        bytes += encodeLine({ kind: 'batch', data: buf }).length + 1;
      }
      return bytes;
    },
  },
];

for (const v of variants) v.run(); // warm-up
const secs = variants.map(() => Infinity);
const bytes = [];
for (let r = 0; r < ROUNDS; r++) {
  variants.forEach((v, i) => {
    const t0 = process.hrtime.bigint();
    bytes[i] = v.run();
    secs[i] = Math.min(secs[i], Number(process.hrtime.bigint() - t0) / 1e9);
  });
}

console.log(`capture bench: ${N} synthetic records in ${batches.length} batches, best of ${ROUNDS} rounds, node ${process.version}`);
variants.forEach((v, i) => {
  const rate = `${(N / secs[i] / 1e6).toFixed(2)} M records/s`;
  const ratio = i === 0 ? '' : `  (${(secs[i] / secs[0]).toFixed(2)}x the baseline's time, ${(bytes[i] / N).toFixed(0)} bytes/record)`;
  console.log(`  ${v.label.padEnd(42)} ${rate}${ratio}`);
});
