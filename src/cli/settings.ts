// The settings a command runs with, in Falco's order: the defaults, then the config file and its
// config_files (-c PATH, else /etc/falconet/falconet.yaml when it exists), then the command line's
// flags, then its -o options. Each flag is a setting under another name (the table below); a flag
// counts only when the user wrote it (main.ts drops commander's defaults), so a flag's default never
// hides what the file says. Also what `run` reads off the settings for its parts.

import {
  ConfigError,
  flagLayer,
  overrideLayer,
  pathText,
  readConfigFiles,
  resolveSettings,
  ringBytesOf,
  setPath,
  type Layer,
  type Path,
  type Resolved,
  type Settings,
} from '../config/index.js';
import type { RuleMatching, RulesetOptions } from '../engine/ruleset.js';
import type { CompileOptions } from '../rules/compiler/index.js';
import { parsePriority } from '../rules/types.js';
import type { DropPolicyOptions } from './drops.js';
import type { MetadataOptions } from './metadata.js';
import { APPEND_OUTPUT, UsageError } from './rule-files.js';

/** The flags that set a setting, each present only when given on the command line. */
export interface SettingFlags {
  /** -c PATH. */
  config?: string;
  /** -o key.path=value, in order. */
  option?: string[];
  json?: boolean;
  fileOutput?: string;
  rules?: string[];
  minPriority?: string;
  ruleMatching?: RuleMatching;
  appendOutput?: boolean;
  watchConfigFiles?: boolean;
  ringBytes?: number;
  cgroupHierarchy?: string;
  docker?: boolean;
  dockerSocket?: string;
  criSocket?: string[];
  k8sApi?: string;
  kubeconfig?: string;
  k8sNode?: string;
  metadataWait?: number;
  dropAlertThreshold?: number;
  dropAlertInterval?: number;
  statsInterval?: number;
}

interface FlagSetting {
  option: Exclude<keyof SettingFlags, 'config' | 'option'>;
  flag: string;
  path: Path;
  /** The setting's value from the flag's (default: the flag's own value). */
  value?: (v: never) => unknown;
}

/** Every flag that is a setting; docs/config.md lists the same. */
export const FLAG_SETTINGS: readonly FlagSetting[] = [
  { option: 'json', flag: '--json', path: ['json_output'] },
  { option: 'fileOutput', flag: '--file-output', path: ['file_output'], value: (f: string) => ({ enabled: true, filename: f }) },
  { option: 'rules', flag: '--rules', path: ['rules_files'] },
  { option: 'minPriority', flag: '--min-priority', path: ['priority'] },
  { option: 'ruleMatching', flag: '--rule-matching', path: ['rule_matching'] },
  { option: 'appendOutput', flag: '--no-append-output', path: ['append_output'] },
  { option: 'watchConfigFiles', flag: '--no-watch-config-files', path: ['watch_config_files'] },
  { option: 'ringBytes', flag: '--ring-bytes', path: ['engine', 'modern_ebpf', 'ring_bytes'] },
  { option: 'cgroupHierarchy', flag: '--cgroup-hierarchy', path: ['cgroup_hierarchy'] },
  { option: 'docker', flag: '--no-docker', path: ['container_engines', 'docker', 'enabled'] },
  { option: 'dockerSocket', flag: '--docker-socket', path: ['container_engines', 'docker', 'sockets'], value: (s: string) => [s] },
  { option: 'criSocket', flag: '--cri-socket', path: ['container_engines', 'cri', 'sockets'] },
  { option: 'k8sApi', flag: '--k8s-api', path: ['k8s', 'api'] },
  { option: 'kubeconfig', flag: '--kubeconfig', path: ['k8s', 'kubeconfig'] },
  { option: 'k8sNode', flag: '--k8s-node', path: ['k8s', 'node_name'] },
  { option: 'metadataWait', flag: '--metadata-wait', path: ['metadata_wait_ms'] },
  { option: 'dropAlertThreshold', flag: '--drop-alert-threshold', path: ['syscall_event_drops', 'threshold'] },
  // One alert per S seconds is a bucket of one token refilled every S seconds; 0: every time.
  { option: 'dropAlertInterval', flag: '--drop-alert-interval', path: ['syscall_event_drops'], value: (s: number) => ({ rate: s > 0 ? 1 / s : 0, max_burst: 1 }) },
  { option: 'statsInterval', flag: '--stats-interval', path: ['stats_interval'] },
];

/** The layer the given flags make, each setting named by its flag in messages. */
export function flagsLayer(flags: SettingFlags): Layer {
  const values: Record<string, unknown> = {};
  const names = new Map<string, string>();
  for (const f of FLAG_SETTINGS) {
    const v = flags[f.option];
    if (v === undefined) continue;
    setPath(values, f.path, f.value ? f.value(v as never) : v);
    names.set(pathText(f.path), f.flag);
  }
  return flagLayer(values, (path) => {
    for (let n = path.length; n > 0; n--) {
      const name = names.get(pathText(path.slice(0, n)));
      if (name) return name;
    }
    return 'command line';
  });
}

export interface CommandSettings extends Resolved {
  /** The config files read, the main one first. */
  files: string[];
}

/** The settings from the config file(s), the flags and -o; a bad one is a usage error naming where it is. */
export function commandSettings(flags: SettingFlags): CommandSettings {
  try {
    return resolveCommandSettings(flags);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError([...err.problems, ...err.warnings.map((w) => `warning: ${w}`)].join('\nfalconet: '));
    throw err;
  }
}

/** The same, throwing the ConfigError with every problem (for `validate`, which reports them). */
export function resolveCommandSettings(flags: SettingFlags, env = process.env): CommandSettings {
  const files = readConfigFiles({ path: flags.config, env });
  const options = overrideLayer(flags.option ?? []);
  let resolved: Resolved;
  try {
    resolved = resolveSettings([...files.layers, flagsLayer(flags), options]);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems, [...files.warnings, ...err.warnings]);
    throw err;
  }
  const warnings = [...files.warnings, ...resolved.warnings];
  if ('config_files' in options.values) warnings.push(`${options.origin(['config_files'])}: config_files is read from the main config file only; ignored`);
  return { ...resolved, warnings, files: files.files };
}

/** How the rules load: the minimum priority, rule_matching, append_output. */
export function ruleOptions(s: Settings): RulesetOptions & CompileOptions {
  return { minPriority: parsePriority(s.priority), matching: s.rule_matching, appendOutput: s.append_output ? APPEND_OUTPUT : [] };
}

export function dropPolicyOptions(s: Settings): DropPolicyOptions {
  const d = s.syscall_event_drops;
  return { threshold: d.threshold, rate: d.rate, maxBurst: d.max_burst };
}

export function probeRingBytes(s: Settings): number {
  return ringBytesOf(s.engine);
}

/** The runtime and Kubernetes clients to start; the default CRI sockets only where they exist. */
export function metadataOptions(r: Pick<Resolved, 'settings' | 'origin'>): MetadataOptions {
  const { docker, cri } = r.settings.container_engines;
  const k8s = r.settings.k8s;
  const criDefault = r.origin(['container_engines', 'cri', 'sockets']) === 'default';
  return {
    docker: docker.enabled && docker.sockets[0] !== undefined ? docker.sockets[0] : false,
    criSockets: !cri.enabled ? [] : criDefault ? undefined : cri.sockets,
    k8sApi: k8s.api || undefined,
    kubeconfig: k8s.kubeconfig || undefined,
    k8sNode: k8s.node_name || undefined,
  };
}

/** Falco's log_level as a pino level; log_stderr: false silences the log. */
export function logLevel(s: Settings): string {
  if (!s.log_stderr) return 'silent';
  const levels = { emergency: 'fatal', alert: 'fatal', critical: 'fatal', error: 'error', warning: 'warn', notice: 'info', info: 'info', debug: 'debug' } as const;
  return levels[s.log_level];
}
