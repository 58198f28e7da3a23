// A live session, shared by `run` and `capture`: seed the process table from the host's /proc (see
// host.ts), open the probe for the wanted event types, decode each batch and hand every record on
// (or hand the batches on undecoded, for a raw capture). Watches for drops.

import type { Logger } from 'pino';
import type { RawRecord } from '../engine/event.js';
import { decodeRecord, forEachRecord, openProbe, ProbeError, type Probe } from '../engine/probe/index.js';
import { EVENT_TYPES } from '../engine/schema.js';
import { readProcTable } from '../engine/state/procfs.js';
import type { ProcSnapshot } from '../engine/event.js';
import { describeHierarchy, hostCgroupHierarchy, ssidOf, type CgroupHierarchy } from '../metadata/cgroup-hierarchy.js';
import { ProcTaskSource } from '../metadata/task-source.js';
import { hostProc } from './host.js';
import { UsageError } from './rule-files.js';

/** The live host's task source, following the cgroup hierarchy `choice` names (--cgroup-hierarchy). */
export function liveTaskSource(choice = 'auto'): ProcTaskSource {
  const h = hostCgroupHierarchy(choice, hostProc());
  if (typeof h === 'string') throw new UsageError(`--cgroup-hierarchy ${choice}: ${h}`);
  return new ProcTaskSource(h, hostProc());
}

interface LiveCommon {
  eventTypes: readonly string[];
  /** The hierarchy the records' cgroup ids and the snapshot's cgroup paths follow. */
  cgroupHierarchy: CgroupHierarchy;
  ringBytes?: number;
  /** Capture ia32 (compat) syscalls too (engine.modern_ebpf.ia32_syscalls). */
  ia32?: boolean;
  durationSec?: number;
  log: Logger;
  onSnapshot(procs: ProcSnapshot[]): void;
  /** Called once the probe is attached, before its first batch. */
  onAttached?(bootToEpochNs: bigint, probe: Probe): void;
  /** Open the probe so that its event types can change later (Probe.setEventTypes; rules reload). */
  reloadable?: boolean;
  /** Called after each batch with the seconds it took (decoding and onRecord): timed per batch, never per record. */
  onBatchDone?(seconds: number): void;
  /** Called once a second with the records the kernel or the addon dropped in that second. */
  onDrops?(ringDrops: number, batchDrops: number, received: number): void;
  /** Seconds between two onStats calls; 0 or absent: never. */
  statsIntervalSec?: number;
  /** The session's counters so far, every statsIntervalSec seconds. */
  onStats?(totals: LiveResult): void;
}

/** Either every record, decoded; a throw costs that record (counted in failedRecords). */
interface RecordConsumer {
  onRecord(rec: RawRecord): void;
  onBatch?: never;
}

/**
 * Or every batch, undecoded: records in events.h's layout, back to back; decode with the probe's
 * decodeRecord and this bootToEpochNs. The Buffer is the consumer's to keep (the addon hands its
 * memory over). A throw counts the batch as corrupt (in corruptBatches).
 */
interface BatchConsumer {
  onBatch(buf: Buffer, bootToEpochNs: bigint): void;
  onRecord?: never;
}

export type LiveOptions = LiveCommon & (RecordConsumer | BatchConsumer);

export interface LiveResult {
  received: number;
  ringDrops: number;
  batchDrops: number;
  /** Records that could not be decoded or processed, and batches skipped as corrupt. */
  failedRecords: number;
  corruptBatches: number;
  /** Why the session ended early: the probe could no longer deliver (the caller exits non-zero). */
  probeError?: string;
}

/** Every type the probe may be asked for (the addon reports the subset it can really emit). */
export const ALL_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES.filter((e) => e.category !== 'meta').map((e) => e.name));

export async function runLiveSession(opts: LiveOptions): Promise<LiveResult> {
  if (process.getuid?.() !== 0) throw new UsageError('the probe needs root (or CAP_BPF and CAP_PERFMON): run with sudo');
  // Snapshot first, then attach: a process that starts in between is adopted from its first record.
  opts.onSnapshot(readProcTable(hostProc(), opts.cgroupHierarchy));
  let probe: Probe;
  let failed = 0;
  let corrupt = 0;
  let probeError: string | undefined;
  let endSession = (): void => {};
  try {
    probe = openProbe({
      eventTypes: opts.eventTypes,
      ringBytes: opts.ringBytes,
      ia32: opts.ia32,
      // Blind is worse than stopped: end the session, and the command exits non-zero.
      onError: (err) => {
        probeError = err.message;
        opts.log.error({ code: err.code, err: err.message }, 'the kernel probe stopped delivering events: stopping');
        endSession();
      },
      cgroupSsid: ssidOf(opts.cgroupHierarchy),
      reloadable: opts.reloadable,
      onBatch: (buf) => {
        const start = opts.onBatchDone ? performance.now() : 0;
        // A corrupt batch or a failing record must cost that record, counted and logged, never the
        // monitor: an uncaught exception here would stop all detection.
        try {
          if (opts.onBatch) {
            opts.onBatch(buf, probe.bootToEpochNs);
            return;
          }
          const onRecord = opts.onRecord;
          forEachRecord(buf, (off) => {
            try {
              onRecord(decodeRecord(buf, off, probe.bootToEpochNs));
            } catch (err) {
              failed++;
              if (failed <= 10 || failed % 10_000 === 0) opts.log.error({ err: String(err), failed }, 'a record could not be processed');
            }
          });
        } catch (err) {
          corrupt++;
          opts.log.error({ err: String(err), corrupt }, opts.onBatch ? 'a probe batch was corrupt' : 'a probe batch was corrupt; the rest of it was skipped');
        } finally {
          opts.onBatchDone?.((performance.now() - start) / 1000);
        }
      },
    });
  } catch (e) {
    if (e instanceof ProbeError) {
      throw new UsageError(`cannot start the kernel probe (${e.code}): ${e.message}${e.logPath ? ` (libbpf log: ${e.logPath})` : ''}`);
    }
    throw e;
  }
  // Batches arrive through the event loop, so none can come before this returns.
  opts.onAttached?.(probe.bootToEpochNs, probe);
  const missing = [...probe.unsupported, ...probe.unavailable];
  if (missing.length > 0) opts.log.warn({ types: missing }, 'the probe cannot capture these event types here; rules on them will not fire');
  if (probe.ia32Uncovered.length > 0) opts.log.warn({ types: probe.ia32Uncovered }, 'the probe cannot capture the ia32 syscalls of these event types; rules on them will not fire for 32-bit calls');
  opts.log.info({ types: opts.eventTypes.length, cgroupHierarchy: describeHierarchy(opts.cgroupHierarchy) }, 'probe attached');

  let last = probe.stats();
  let ticks = 0;
  const totals = (): LiveResult => {
    const s = probe.stats();
    return { received: s.received, ringDrops: s.ringDrops, batchDrops: s.batchDrops, failedRecords: failed, corruptBatches: corrupt, ...(probeError ? { probeError } : {}) };
  };
  const timer = setInterval(() => {
    const s = probe.stats();
    const ring = s.ringDrops - last.ringDrops;
    const batch = s.batchDrops - last.batchDrops;
    if (ring > 0 || batch > 0) opts.onDrops?.(ring, batch, s.received - last.received);
    last = s;
    if (opts.statsIntervalSec && ++ticks % opts.statsIntervalSec === 0) opts.onStats?.(totals());
  }, 1000);

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    endSession = stop;
    if (probeError) stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (opts.durationSec !== undefined && opts.durationSec > 0) setTimeout(stop, opts.durationSec * 1000).unref();
  });
  clearInterval(timer);
  probe.stop();
  // Let the last batch the addon flushed on stop reach us.
  await new Promise((r) => setTimeout(r, 50));
  return totals();
}
