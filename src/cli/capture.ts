// `falconet capture -w FILE`: record live events, with the process table and users, for `replay`.
// Raw (the default) writes the probe's batches as the addon delivered them, so capturing costs no
// decode; `--format json` writes one decoded event line a record, the hand-writable format.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { ProcSnapshot, RawRecord } from '../engine/event.js';
import { captureSet } from '../engine/capture-set.js';
import { encodeLine, FORMAT_VERSION, type Header, type Line } from '../engine/replay/format.js';
import { forEachCgroupId, WIRE_LAYOUT } from '../engine/replay/raw.js';
import type { ProcTaskSource } from '../metadata/task-source.js';
import { hostName, hostUsers } from './host.js';
import { ALL_TYPES, liveTaskSource, runLiveSession } from './live.js';
import { createLogger } from './logger.js';
import { loadRuleFiles, reportDiagnostics } from './rule-files.js';

const MAX_BUFFERED = 64 << 20;
/** Cgroup ids already written; past this many the set starts over (a cgroup line again is harmless). */
const MAX_CGROUPS = 65_536;

export type CaptureFormat = 'raw' | 'json';

export interface CaptureOptions {
  write: string;
  rules?: string[];
  duration?: number;
  /** Default raw. */
  format?: CaptureFormat;
  /** --cgroup-hierarchy: auto (default), unified, or a v1 controller. */
  cgroupHierarchy?: string;
}

/** The file being written, with the records it took and the ones it had to drop. */
class CaptureFile {
  written = 0;
  dropped = 0;
  constructor(private readonly out: WriteStream) {}

  write(line: Line): void {
    this.out.write(encodeLine(line) + '\n');
  }

  /** A disk slower than the host's syscalls must not grow memory without bound: drop and count. */
  full(): boolean {
    return this.out.writableLength > MAX_BUFFERED;
  }
}

function jsonRecordWriter(file: CaptureFile, cgroups: ProcTaskSource): (rec: RawRecord) => void {
  return (rec) => {
    // The probe's cgroup records name a path once; each event line carries its own.
    if (rec.type === 'cgroup') {
      if (typeof rec.args.path === 'string') cgroups.learnCgroup(rec.cgroupId, rec.args.path);
      return;
    }
    if (file.full()) {
      file.dropped++;
      return;
    }
    const cgroup = cgroups.cgroupPath(rec.pid, rec.cgroupId);
    if (cgroup !== undefined) rec.cgroup = cgroup;
    file.write({ kind: 'event', record: rec });
    file.written++;
  };
}

/**
 * Writes each batch undecoded, after a cgroup line for each cgroup id it is the first to use that
 * the probe's own cgroup records (in the batches) did not name: those the ring lost.
 * `header.bootToEpochNs` is the offset the batches written so far go by.
 */
function rawBatchWriter(file: CaptureFile, cgroups: ProcTaskSource, header: Header): (buf: Buffer, bootToEpochNs: bigint) => void {
  const known = new Set<bigint>();
  return (buf, bootToEpochNs) => {
    // Walk the whole batch first: it counts the records, and a cgroup line must precede its batch.
    let records = 0;
    const unknown: [pid: number, id: bigint][] = [];
    let corrupt: unknown;
    try {
      forEachCgroupId(buf, (pid, id, isCgroupRecord) => {
        records++;
        if (isCgroupRecord) known.add(id);
        else if (id !== 0n && !known.has(id)) unknown.push([pid, id]);
      });
    } catch (err) {
      corrupt = err;
    }
    if (file.full()) {
      file.dropped += records;
      return;
    }
    const tried = new Set<number>();
    for (const [pid, id] of unknown) {
      // One /proc read per process and batch: an exited process fails the same way every time.
      if (known.has(id) || tried.has(pid)) continue;
      tried.add(pid);
      const path = cgroups.cgroupPath(pid, id);
      if (path === undefined) continue;
      if (known.size >= MAX_CGROUPS) known.clear();
      known.add(id);
      file.write({ kind: 'cgroup', id, path });
    }
    // Recorded as is, corrupt or not: the replay meets what the live monitor met, and reports it.
    // The probe reads the offset again as the clock is stepped: a batch after a step carries the new one.
    if (bootToEpochNs === header.bootToEpochNs) file.write({ kind: 'batch', data: buf });
    else {
      header.bootToEpochNs = bootToEpochNs;
      file.write({ kind: 'batch', data: buf, bootToEpochNs });
    }
    file.written += records;
    // The session counts the batch as corrupt.
    if (corrupt !== undefined) throw corrupt;
  };
}

export async function capture(opts: CaptureOptions): Promise<number> {
  const log = createLogger();
  const format = opts.format ?? 'raw';
  let types = [...ALL_TYPES];
  if (opts.rules) {
    const loaded = loadRuleFiles(opts.rules);
    reportDiagnostics(loaded.diagnostics, { warnings: false });
    if (!loaded.ok) return 1;
    types = captureSet(loaded.ruleset, ALL_TYPES).types;
  }
  const out = createWriteStream(opts.write);
  let writeError: Error | undefined;
  out.on('error', (e) => (writeError = e));
  const file = new CaptureFile(out);
  const users = hostUsers();
  const header: Header = { kind: 'header', version: FORMAT_VERSION, hostname: hostName(), users: users.allUsers(), groups: users.allGroups() };
  // Live records carry only a cgroup id; the file carries the path so a replay elsewhere knows it.
  const cgroups = liveTaskSource(opts.cgroupHierarchy);
  let snapshot: ProcSnapshot[] = [];
  const session = {
    eventTypes: types,
    cgroupHierarchy: cgroups.hierarchy,
    durationSec: opts.duration,
    log,
    onSnapshot: (procs: ProcSnapshot[]) => (snapshot = procs),
    // The header waits for the probe: a raw file needs its boot-time offset.
    onAttached: (bootToEpochNs: bigint) => {
      if (format === 'raw') {
        header.bootToEpochNs = bootToEpochNs;
        header.layout = WIRE_LAYOUT;
      }
      file.write(header);
      for (const proc of snapshot) file.write({ kind: 'proc', proc });
      snapshot = [];
    },
    onDrops: (ring: number, batch: number) => log.warn({ ringDrops: ring, batchDrops: batch }, 'events dropped'),
  };
  const result = await runLiveSession(
    format === 'raw' ? { ...session, onBatch: rawBatchWriter(file, cgroups, header) } : { ...session, onRecord: jsonRecordWriter(file, cgroups) },
  );
  await new Promise<void>((resolve) => out.end(resolve));
  if (writeError) {
    log.error({ file: opts.write, err: writeError.message }, 'writing the capture failed');
    return 1;
  }
  if (file.dropped > 0) log.warn({ file: opts.write, dropped: file.dropped }, 'records dropped because the file could not keep up');
  log.info({ file: opts.write, format, events: file.written, dropped: file.dropped, ...result }, 'capture written');
  return result.probeError ? 1 : 0;
}
