// openProbe: start the kernel probe for the event types the loaded rules need, and receive its
// records in batches. The addon does the work; this wrapper validates options, plans which BPF
// programs to attach, excludes the monitor itself, and detaches on stop(), exit and SIGINT/SIGTERM.
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENT_BY_NAME } from '../schema.js';
import { loadAddon, type NativeProbe } from './addon.js';
import { ProbeError } from './errors.js';
import { ia32Uncovered, planPrograms, programsOf } from './programs.js';

export interface ProbeOptions {
  /** Event type names (schema.ts) the rules need; nothing else leaves the kernel. */
  eventTypes: readonly string[];
  /** Ring buffer size in bytes: a power of two, at least 4096. Default 8 MiB. */
  ringBytes?: number;
  /**
   * Processes (thread group ids, as this process sees them) never reported; the calling process is
   * always excluded. In a pid namespace of its own (a container without hostPID) they are matched there.
   */
  excludePids?: readonly number[];
  /**
   * The cgroup hierarchy whose ids records carry: a v1 controller's index (the line of /proc/cgroups,
   * the kernel's cgroup_subsys_id) or -1 for the unified hierarchy (the default).
   */
  cgroupSsid?: number;
  /** Receives one Buffer holding many records; decode with decodeBatch / decodeRecord. */
  onBatch(buf: Buffer): void;
  /** Flush a batch once it holds this many bytes (default 1 MiB)... */
  batchBytes?: number;
  /** ...or once its first record is this old (default 20 ms). */
  batchMs?: number;
  /** Batches handed to JS and not yet consumed beyond which new batches are dropped (default 64). */
  maxInflight?: number;
  /** Where libbpf's log (with the verifier log) is written if loading fails. */
  logPath?: string;
  /**
   * Load every BPF program into the kernel (attaching only those `eventTypes` need), so that
   * setEventTypes can change what is captured later without reopening the probe. Costs the
   * verifier's time for the unused programs at start.
   */
  reloadable?: boolean;
  /**
   * Also capture ia32 (compat) syscalls: a 32-bit binary, or int 0x80 from a 64-bit one, which no
   * per-syscall tracepoint reports. Attaches r_sys_exit, which runs on every syscall's exit
   * (docs/performance.md gives its cost).
   */
  ia32?: boolean;
  /**
   * The ring buffer can no longer be polled (the probe is stopped by then): records would silently
   * stop arriving otherwise. Without onError the error is thrown as an uncaught exception.
   */
  onError?(err: ProbeError): void;
}

/** What setEventTypes could not honour. */
export interface EventTypeChange {
  unsupported: readonly string[];
  unavailable: readonly string[];
}

export interface ProbeStats {
  /** Records read from the ring buffer. */
  received: number;
  /** Records the kernel could not write because the ring buffer was full. */
  ringDrops: number;
  /** Records dropped in userspace because maxInflight batches were waiting for JS. */
  batchDrops: number;
  batches: number;
}

export interface Probe {
  stop(): void;
  stats(): ProbeStats;
  /**
   * Add to a record's boot-time ts to get ns since the epoch (the decoder's second argument). Read
   * again at most once a second as batches arrive, so a clock step (NTP, an operator's `date -s`)
   * reaches the alerts' times within a second instead of never.
   */
  readonly bootToEpochNs: bigint;
  /** Requested types this probe cannot emit (e.g. read, write): rules on them will not fire. */
  readonly unsupported: readonly string[];
  /**
   * Requested types whose kernel hook does not exist on this kernel and that the raw_syscalls
   * fallback cannot serve either (init_module without modules is served: it is not listed).
   */
  readonly unavailable: readonly string[];
  /** With ia32: requested types whose ia32 calls are still not seen (programs.ts ia32Uncovered). */
  readonly ia32Uncovered: readonly string[];
  /**
   * The syscalls r_sys_exit serves now, as slots of its program array: the x86-64 nr of a wanted
   * syscall whose own tracepoint is missing, 512 + the ia32 nr of one with ia32. Empty: not attached.
   */
  rawSlots(): readonly number[];
  /**
   * Captures `eventTypes` from now on, without detaching (a rules reload): new programs are
   * attached before the ones no longer needed are detached, so no type both sets share has a gap.
   * Needs `reloadable`.
   */
  setEventTypes(eventTypes: readonly string[]): EventTypeChange;
}

const BTF_PATH = '/sys/kernel/btf/vmlinux';
/** The host's (initial) pid namespace always has this inode (PROC_PID_INIT_INO). */
const INIT_PIDNS_INO = 0xeffffffc;

/**
 * This process's pid namespace when it is not the host's: its pids (process.pid included) mean
 * nothing to the kernel's host-wide view, so the probe must match them inside that namespace.
 */
export function ownPidNamespace(): { dev: number; ino: number } | undefined {
  try {
    const st = statSync('/proc/self/ns/pid');
    return st.ino === INIT_PIDNS_INO ? undefined : { dev: st.dev, ino: st.ino };
  } catch {
    return undefined; // no procfs of our own: assume the host's namespace, as before
  }
}
const DEFAULT_RING = 8 << 20;

export function openProbe(opts: ProbeOptions): Probe {
  const ringBytes = opts.ringBytes ?? DEFAULT_RING;
  if (!Number.isInteger(ringBytes) || ringBytes < 4096 || (ringBytes & (ringBytes - 1)) !== 0 || ringBytes > 2 ** 30) {
    throw new ProbeError('EBADOPTION', `ringBytes must be a power of two between 4096 and 1 GiB, got ${ringBytes}`);
  }
  const unknown = opts.eventTypes.filter((t) => !EVENT_BY_NAME.has(t));
  if (unknown.length > 0) throw new ProbeError('EUNKNOWNTYPE', `unknown event types: ${unknown.join(', ')}`);
  if (!existsSync(BTF_PATH)) {
    throw new ProbeError('ENOBTF', `${BTF_PATH} is missing: the kernel must be built with CONFIG_DEBUG_INFO_BTF=y`);
  }
  const addon = loadAddon();
  const plan = planPrograms(opts.eventTypes, addon.eventTypes());
  const logPath = opts.logPath ?? path.join(os.tmpdir(), `falconet-probe-${process.pid}.log`);
  const onBatch = opts.onBatch;
  let bootToEpochNs = addon.bootToEpochNs();
  let offsetReadAt = Date.now();
  let native: NativeProbe;
  try {
    native = new addon.Probe(
      {
        programs: plan.programs,
        typeIds: plan.typeIds,
        ringBytes,
        excludePids: [process.pid, ...(opts.excludePids ?? [])],
        selfPidNs: ownPidNamespace(),
        cgroupSsid: opts.cgroupSsid ?? -1,
        batchBytes: opts.batchBytes ?? 1 << 20,
        batchMs: opts.batchMs ?? 20,
        maxInflight: opts.maxInflight ?? 64,
        logPath,
        loadAll: opts.reloadable === true,
        ia32: opts.ia32 === true,
      },
      (buf) => {
        const now = Date.now();
        if (now - offsetReadAt >= 1000) {
          bootToEpochNs = addon.bootToEpochNs();
          offsetReadAt = now;
        }
        try {
          onBatch(buf);
        } catch (err) {
          // A throwing consumer stops the probe and surfaces as an ordinary uncaught exception
          // (N-API would otherwise only print a warning and keep calling).
          probe.stop();
          process.nextTick(() => {
            throw err;
          });
        }
      },
      (message) => {
        probe.stop();
        const err = new ProbeError('EPOLL', message);
        if (opts.onError) opts.onError(err);
        else
          process.nextTick(() => {
            throw err;
          });
      },
    );
  } catch (err) {
    const e = err as Error & { code?: string };
    const code = (e.code ?? 'EOPEN') as ProbeError['code'];
    throw new ProbeError(code, e.message, code === 'EVERIFIER' || code === 'EPERM' ? logPath : undefined);
  }
  // The addon names the programs whose kernel hook is missing; callers think in event types.
  const unavailableOf = (types: readonly string[]) => {
    const missing = new Set(native.stats().unavailable);
    return [...new Set(types)].filter((t) => programsOf(t).some((p) => missing.has(p)));
  };
  const unavailable = unavailableOf(opts.eventTypes);
  let stopped = false;
  const probe: Probe = {
    get bootToEpochNs() {
      return bootToEpochNs;
    },
    unsupported: plan.unsupported,
    unavailable,
    ia32Uncovered: opts.ia32 ? ia32Uncovered(opts.eventTypes, addon.syscallTable()) : [],
    stop() {
      if (stopped) return;
      stopped = true;
      open.delete(probe);
      native.stop();
    },
    rawSlots() {
      return native.stats().rawSlots;
    },
    stats() {
      const s = native.stats();
      return { received: s.received, ringDrops: s.ringDrops, batchDrops: s.batchDrops, batches: s.batches };
    },
    setEventTypes(eventTypes) {
      if (!opts.reloadable) throw new ProbeError('EBADOPTION', 'setEventTypes needs a probe opened with reloadable');
      const bad = eventTypes.filter((t) => !EVENT_BY_NAME.has(t));
      if (bad.length > 0) throw new ProbeError('EUNKNOWNTYPE', `unknown event types: ${bad.join(', ')}`);
      const next = planPrograms(eventTypes, addon.eventTypes());
      try {
        native.setPrograms(next.programs, next.typeIds);
      } catch (err) {
        const e = err as Error & { code?: string };
        throw new ProbeError((e.code ?? 'EATTACH') as ProbeError['code'], e.message);
      }
      return { unsupported: next.unsupported, unavailable: unavailableOf(eventTypes) };
    },
  };
  open.add(probe);
  installExitHooks();
  return probe;
}

// BPF links are file descriptors, so the kernel detaches them when the process dies anyway; the hooks
// make the detach prompt and let the last batch reach JS on an orderly shutdown.
const open = new Set<Probe>();
let hooksInstalled = false;

function stopAll(): void {
  for (const p of [...open]) p.stop();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', stopAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      stopAll();
      // Keep the default behaviour (terminate) unless the application handles the signal itself.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.once(sig, onSignal);
  }
}
