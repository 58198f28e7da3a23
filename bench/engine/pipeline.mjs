// The pieces the engine benchmark and profiler share: loading a ruleset, the decode-only baseline and
// the full pipeline (decode -> process/fd state -> rules), each over pre-encoded probe batches.
import { readFileSync } from 'node:fs';
import { Context } from '../../dist/engine/context.js';
import { AlertGate } from '../../dist/engine/alert-gate.js';
import { alertsTo, Engine } from '../../dist/engine/engine.js';
import { fieldRegistry } from '../../dist/engine/fields/index.js';
import { decodeRecord, forEachRecord } from '../../dist/engine/probe/decoder.js';
import { StateMachine } from '../../dist/engine/state/apply.js';
import { ThreadTable } from '../../dist/engine/state/threads.js';
import { UserTable } from '../../dist/engine/users.js';
import { ReplayTaskSource } from '../../dist/metadata/task-source.js';
import { compileRuleset } from '../../dist/rules/compiler/index.js';
import { loadRules } from '../../dist/rules/index.js';
import { encodeBatches } from './encode.mjs';
import { BOOT_NS, syntheticProcs, syntheticRecords } from './synthetic.mjs';

/** The synthetic stream of `n` records, encoded as the probe would hand it over. */
export function syntheticBatches(n) {
  return encodeBatches(syntheticRecords(n), 1 << 20, BOOT_NS);
}

export function ruleset(files, opts = {}) {
  const load = loadRules(files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') })), { fields: fieldRegistry });
  if (!load.ok) throw new Error(`rules did not load: ${files.join(', ')}`);
  const compiled = compileRuleset(load.rules, fieldRegistry, { matching: 'all', ...opts });
  if (compiled.errors.length) throw new Error(`rules did not compile: ${compiled.errors[0].message}`);
  return compiled.ruleset;
}

/** The baseline: decode every record and touch it, nothing else. */
export function decodeOnly(batches) {
  let n = 0;
  for (const buf of batches) forEachRecord(buf, (off) => { if (decodeRecord(buf, off, BOOT_NS).tid >= 0) n++; });
  return n;
}

function seededThreads() {
  const threads = new ThreadTable();
  threads.seed(syntheticProcs(), (c) => new ReplayTaskSource().containerOf(c));
  return threads;
}

/** Decode and apply to a fresh process table, no rules: splits the pipeline's cost in two. */
export function decodeAndState(batches) {
  const state = new StateMachine(seededThreads(), new ReplayTaskSource());
  let n = 0;
  for (const buf of batches) forEachRecord(buf, (off) => { if (state.apply(decodeRecord(buf, off, BOOT_NS)) !== undefined) n++; });
  return n;
}

/**
 * Decode, apply to a fresh process table, evaluate the rules; counts alerts. `metadata` (a
 * ContainerCache) gives the container fields their runtime metadata, as `falconet run` does.
 */
export function fullPipeline(batches, rs, metadata) {
  const threads = seededThreads();
  const ctx = new Context(threads, new UserTable([{ uid: 0, name: 'root', home: '/root', shell: '/bin/sh' }]), 'bench', metadata);
  let alerts = 0;
  // With metadata, matches go through the AlertGate as in `falconet run` (the container is known, so nothing waits).
  const gate = metadata ? new AlertGate(metadata, 1000, () => alerts++) : undefined;
  const onMatch = gate ? (r, e, c) => gate.matched(r, e, c) : alertsTo(() => alerts++);
  const engine = new Engine(rs, new StateMachine(threads, new ReplayTaskSource()), ctx, onMatch, gate);
  for (const buf of batches) forEachRecord(buf, (off) => engine.process(decodeRecord(buf, off, BOOT_NS)));
  return { events: engine.stats.events, alerts };
}
