// How the decoder turns bytes into strings: Buffer#toString (the old way, the baseline), the native
// utf8Slice it ends up in (what decoder.ts uses), and an ASCII check in JS followed by latin1Slice
// (tried and dropped). Same paths, same run, interleaved, best of 5.
//
//   node bench/engine/strings.mjs
const PATHS = ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/etc/ld.so.cache', '/proc/self/status', '/var/lib/app/data.db',
  '/tmp/work.tmp', '/etc/hosts', 'missing.conf', 'nginx', '/usr/share/zoneinfo/UTC'];
const buf = Buffer.concat(PATHS.map((p) => Buffer.from(p)));
const starts = [];
const ends = [];
let at = 0;
for (const p of PATHS) {
  starts.push(at);
  ends.push((at += p.length));
}

const variants = [
  ['toString (baseline)', (s, e) => buf.toString('utf8', s, e)],
  ['utf8Slice', (s, e) => buf.utf8Slice(s, e)],
  ['ASCII check + latin1Slice', (s, e) => {
    for (let i = s; i < e; i++) if (buf[i] > 0x7f) return buf.utf8Slice(s, e);
    return buf.latin1Slice(s, e);
  }],
];

const N = 5_000_000;
function run(f) {
  let n = 0;
  for (let i = 0; i < N; i++) n += f(starts[i % PATHS.length], ends[i % PATHS.length]).length;
  return n;
}
const best = variants.map(() => Infinity);
for (let r = 0; r < 5; r++) {
  variants.forEach(([, f], i) => {
    const t0 = process.hrtime.bigint();
    run(f);
    best[i] = Math.min(best[i], Number(process.hrtime.bigint() - t0) / N);
  });
}
console.log(`strings: ${N} slices of ${PATHS.length} typical paths, best of 5, node ${process.version}`);
variants.forEach(([label], i) => console.log(`  ${label.padEnd(28)} ${best[i].toFixed(1)} ns/string  (${(best[0] / best[i]).toFixed(2)}x the baseline's rate)`));
