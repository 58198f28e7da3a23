// Loads the native addon (build/Release/falconet_probe.node, built by `npm run build:native`) and
// types what it exports. Nothing else in the project touches the .node file.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ProbeError } from './errors.js';
import type { Layout } from './layout.js';
import type { SyscallNumbers } from './programs.js';

export interface NativeStats {
  received: number;
  ringDrops: number;
  batchDrops: number;
  batches: number;
  /** Wanted programs whose hook this kernel lacks and that r_sys_exit cannot serve either. */
  unavailable: string[];
  /** The filled slots of r_sys_exit's program array (x86-64 nr, or 512 + ia32 nr). */
  rawSlots: number[];
  /** Why the ring buffer could not be polled, once that happened. */
  error?: string;
}

export interface NativeProbe {
  stop(): void;
  stats(): NativeStats;
  /** Attach these programs (loaded with loadAll), detach the others, and want exactly these type ids. */
  setPrograms(programs: string[], typeIds: number[]): void;
}

export interface NativeProbeOptions {
  programs: string[];
  typeIds: number[];
  ringBytes: number;
  excludePids: number[];
  /** The pid namespace excludePids belong to, when it is not the host's. */
  selfPidNs?: { dev: number; ino: number };
  /** The v1 controller whose cgroup ids records carry, or -1 for the unified hierarchy. */
  cgroupSsid: number;
  batchBytes: number;
  batchMs: number;
  maxInflight: number;
  logPath: string;
  loadAll?: boolean;
  /** Run the wanted syscall programs for ia32 (compat) syscalls too, through r_sys_exit. */
  ia32?: boolean;
}

export interface NativeAddon {
  Probe: new (opts: NativeProbeOptions, onBatch: (buf: Buffer) => void, onError?: (message: string) => void) => NativeProbe;
  layout(): Layout;
  eventTypes(): { name: string; id: number; nparams: number }[];
  programNames(): string[];
  syscallTable(): SyscallNumbers[];
  bootToEpochNs(): bigint;
}

/** The repo root: this file sits at src/engine/probe/ (or dist/engine/probe/ once compiled). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ADDON_PATH = path.join(ROOT, 'build', 'Release', 'falconet_probe.node');

let cached: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  try {
    cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    return cached;
  } catch (err) {
    throw new ProbeError(
      'ENOADDON',
      `the probe addon is not built (${ADDON_PATH}): run \`npm run build:native\` (needs clang, bpftool, libbpf-dev): ${(err as Error).message}`,
    );
  }
}
