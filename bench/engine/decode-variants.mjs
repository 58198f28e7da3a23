// The record decoder (src/engine/probe/decoder.ts) against the decoder as it was before the
// performance work (decode-reference.mjs), on the same batches in the same run. Both must decode
// every record to deep-equal values (checked first, on the whole stream).
//
//   node bench/engine/decode-variants.mjs [records] [reps]     (after npx tsc -p .)
import { isDeepStrictEqual } from 'node:util';
import { decodeRecord, forEachRecord } from '../../dist/engine/probe/decoder.js';
import { decodeRecordReference, forEachRecordReference } from './decode-reference.mjs';
import { syntheticBatches } from './pipeline.mjs';
import { BOOT_NS } from './synthetic.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const REPS = Number(process.argv[3] ?? 5);
const BOOT = BOOT_NS;

const batches = syntheticBatches(N);
const show = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
for (const buf of batches) {
  forEachRecord(buf, (off) => {
    const want = decodeRecordReference(buf, off, BOOT);
    const got = decodeRecord(buf, off, BOOT);
    if (!isDeepStrictEqual(want, got)) throw new Error(`decoders differ at ${off}: ${show(want)} vs ${show(got)}`);
  });
}

const variants = [
  ['before (decode-reference)', () => run(forEachRecordReference, decodeRecordReference)],
  ['decodeRecord (today)', () => run(forEachRecord, decodeRecord)],
];

function run(each, decode) {
  let n = 0;
  for (const buf of batches) each(buf, (off) => { if (decode(buf, off, BOOT).tid >= 0) n++; });
  return n;
}

for (const [, fn] of variants) fn();
// Interleaved, best of REPS: both variants see the same machine conditions.
const secs = variants.map(() => Infinity);
for (let r = 0; r < REPS; r++) {
  variants.forEach(([, fn], i) => {
    const t0 = process.hrtime.bigint();
    fn();
    secs[i] = Math.min(secs[i], Number(process.hrtime.bigint() - t0) / 1e9);
  });
}
console.log(`decoder: ${N} synthetic records (all decoded alike by both), best of ${REPS}, node ${process.version}`);
variants.forEach(([label], i) =>
  console.log(`  ${label.padEnd(28)} ${(N / secs[i] / 1e6).toFixed(2)} M records/s  (${(secs[0] / secs[i]).toFixed(2)}x the reference's rate)`));
