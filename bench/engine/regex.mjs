// bench/engine/regex.mjs: what the regex operator costs per match on RE2 (re2js, what falconet uses
// since attacker-chosen values must not make matching exponential) against V8's backtracking
// RegExp (what it used before), in the same run, on file-name-like values; then the pathological
// case that motivated the change, on RE2 only (RegExp would not finish).
//
//   node bench/engine/regex.mjs [matches]
import { RE2JS } from 're2js';

const N = Number(process.argv[2] ?? 1_000_000);
const PATTERNS = ['/etc/(passwd|shadow|sudoers(\\.d/.*)?)', '.*/\\.ssh/(id_[a-z0-9]+|authorized_keys)', '/proc/[0-9]+/(mem|maps|environ)'];
const values = Array.from({ length: 1024 }, (_, i) =>
  [`/etc/passwd`, `/home/u${i}/.ssh/id_ed25519`, `/proc/${i}/maps`, `/usr/lib/x86_64-linux-gnu/libc.so.${i}`, `/tmp/build-${i}/out.o`][i % 5]);

function time(test) {
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) if (test(values[i & 1023])) hits++;
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, hits };
}

const re2 = PATTERNS.map((p) => RE2JS.compile(p));
const js = PATTERNS.map((p) => new RegExp(`^(?:${p})$`));
const variants = [
  ['RegExp (backtracking, baseline)', (v) => js.some((r) => r.test(v))],
  ['RE2 (re2js)', (v) => re2.some((r) => r.matches(v))],
];
for (const [, f] of variants) time(f); // warm-up
const best = variants.map(() => Infinity);
let hits = [];
for (let round = 0; round < 3; round++) {
  variants.forEach(([, f], i) => {
    const r = time(f);
    best[i] = Math.min(best[i], r.s);
    hits[i] = r.hits;
  });
}
if (hits[0] !== hits[1]) throw new Error(`engines disagree: ${hits.join(' vs ')} matches`);
console.log(`regex bench: ${N} values against ${PATTERNS.length} patterns (a rule's worth), best of 3, node ${process.version}`);
variants.forEach(([label], i) => {
  const ratio = i === 0 ? '' : `  (${(best[i] / best[0]).toFixed(2)}x the baseline's time)`;
  console.log(`  ${label.padEnd(34)} ${(N / best[i] / 1e6).toFixed(2)} M values/s${ratio}`);
});
const evil = RE2JS.compile('(a+)+$');
const t0 = process.hrtime.bigint();
const matched = evil.matches(`${'a'.repeat(10_000)}!`);
console.log(`  RE2 '(a+)+$' on 'a'x10000+'!': ${matched} in ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms (RegExp: about 2^10000 steps)`);
