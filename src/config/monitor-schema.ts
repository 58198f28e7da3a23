// The monitor's own keys: which rules, how the probe and the engine run, what happens on lost events,
// where container and pod metadata come from, the log, the web server and metrics. Key names are
// falco.yaml's where the concept is the same; falconet's own keys (cgroup_hierarchy, stats_interval,
// metadata_wait_ms, k8s, engine.modern_ebpf.ring_bytes, engine.modern_ebpf.ia32_syscalls) are marked so. docs/config.md explains each.

import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { duration, flag, priority, text } from './values.js';

/** rules/default.yaml of this installation: the rules when neither a config file nor -r names any. */
export const DEFAULT_RULES = fileURLToPath(new URL('../../rules/default.yaml', import.meta.url));
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** containerd, CRI-O and k3s's containerd, where they put their sockets. */
export const DEFAULT_CRI_SOCKETS = ['/run/containerd/containerd.sock', '/run/crio/crio.sock', '/run/k3s/containerd/containerd.sock'];

/** Falco's log_level names. */
export const LOG_LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;

const DROP_ACTIONS = ['ignore', 'log', 'alert', 'exit'] as const;

const isPowerOfTwo = (n: number) => (n & (n - 1)) === 0;

/** Falco's list form of append_output (match / extra_output / extra_fields) has no home here yet. */
const appendOutputShape = (input: unknown) =>
  Array.isArray(input) || (typeof input === 'object' && input !== null)
    ? "the list form of append_output (match, extra_output, extra_fields) is not supported yet; use true (the container and pod fields, the default) or false"
    : undefined;

const paths = () => z.array(text(z.string().min(1)));

export const MONITOR_KEYS = {
  /** Rule files and directories (their .yaml/.yml files, sorted), loaded in order; -r replaces the list. */
  rules_files: paths().default([DEFAULT_RULES]),
  /** More config files and directories, merged in order over the main one (read from the main file only). */
  config_files: paths().default([]),
  /** Reload the rules when a rules file changes (SIGHUP always does). */
  watch_config_files: flag().default(true),
  /** Rules less severe than this are not loaded. */
  priority: priority().default('debug'),
  /** first: an event alerts on the first matching rule in load order; all: on every one. */
  rule_matching: z.enum(['first', 'all']).default('first'),
  /** true: every syscall alert also names its container and pod. Falco's list form is refused. */
  append_output: flag(appendOutputShape).default(true),
  syscall_event_drops: z
    .strictObject({
      /** The share of a second's events that must be lost before the actions are taken. */
      threshold: z.number().min(0).lt(1).default(0.1),
      actions: z.array(z.enum(DROP_ACTIONS)).default(['log', 'alert']),
      /** Actions per second (a token bucket; 0: no limit) and how many may be taken at once. */
      rate: z.number().min(0).default(0.03333),
      max_burst: z.int().min(1).default(1),
    })
    .prefault({}),
  engine: z
    .strictObject({
      /** falconet has one driver, the modern eBPF probe. */
      kind: z.literal('modern_ebpf').default('modern_ebpf'),
      modern_ebpf: z
        .strictObject({
          /** The ring buffer's size: preset n is 2^(n-1) MiB (1: 1 MiB … 10: 512 MiB); 0 is the default 4 (8 MiB). */
          buf_size_preset: z.int().min(0).max(10).default(4),
          /** falconet's own: the ring size in bytes (a power of two, 4 KiB to 1 GiB); wins over the preset. */
          ring_bytes: z
            .int()
            .min(4096)
            .max(2 ** 30)
            .refine(isPowerOfTwo, 'expected a power of two')
            .optional(),
          /** falconet's own: also capture ia32 (32-bit compat) syscalls; costs every syscall (docs/performance.md). */
          ia32_syscalls: flag().default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  /** falconet's own: the cgroup hierarchy that tells containers apart (auto, unified, or a v1 controller). */
  cgroup_hierarchy: text(z.string().min(1)).default('auto'),
  container_engines: z
    .strictObject({
      /** A list as in Falco's container plugin, but falconet asks one Docker engine. */
      docker: z
        .strictObject({ enabled: flag().default(true), sockets: paths().max(1, 'falconet asks one Docker engine: list one socket').default([DEFAULT_DOCKER_SOCKET]) })
        .prefault({}),
      /** containerd, CRI-O: the default sockets are used when they exist at start; those you list always are. */
      cri: z.strictObject({ enabled: flag().default(true), sockets: paths().default(DEFAULT_CRI_SOCKETS) }).prefault({}),
    })
    .prefault({}),
  /** falconet's own: the Kubernetes API client, asked for pod and namespace labels. */
  k8s: z
    .strictObject({
      /** The API server's URL; '' : in a pod, its own cluster; elsewhere none. */
      api: text(z.string()).default(''),
      kubeconfig: text(z.string()).default(''),
      /** This host's node name, to follow only its pods; '' : $NODE_NAME. */
      node_name: text(z.string()).default(''),
    })
    .prefault({}),
  /** falconet's own: how long an alert from a container not yet known waits for its metadata (ms). */
  metadata_wait_ms: z.int().min(0).default(1000),
  /** falconet's own: seconds between two "stats" log lines; 0: none. */
  stats_interval: z.int().min(0).default(60),
  log_level: z.enum(LOG_LEVELS).default('info'),
  /** false: no log at all (falconet has no log_syslog). */
  log_stderr: flag().default(true),
  webserver: z
    .strictObject({
      enabled: flag().default(true),
      /** Loopback by default (Falco: 0.0.0.0): /metrics tells who runs what; expose it on purpose. */
      listen_address: text(z.string().min(1)).default('127.0.0.1'),
      /** 0: any free port. */
      listen_port: z.int().min(0).max(65535).default(8765),
      prometheus_metrics_enabled: flag().default(true),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      enabled: flag().default(false),
      interval: duration().default('1m'),
      /** Each interval's snapshot as an internal alert (Falco's "Falco internal: metrics snapshot"). */
      output_rule: flag().default(true),
    })
    .prefault({}),
};

/** The ring buffer's size in bytes that the engine keys ask for. */
export function ringBytesOf(engine: { modern_ebpf: { buf_size_preset: number; ring_bytes?: number } }): number {
  const { buf_size_preset: preset, ring_bytes: bytes } = engine.modern_ebpf;
  return bytes ?? 2 ** ((preset === 0 ? 4 : preset) - 1) * 2 ** 20;
}
