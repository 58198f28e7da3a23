// Which event types the probe must capture: those the enabled rules can match, plus those the
// process and fd tables need to stay right. What no rule needs never leaves the kernel.

import type { Ruleset } from './ruleset.js';
import { EVENT_TYPES } from './schema.js';

/** Process lifecycle and identity: needed whatever the rules, or proc.* and user.* go stale. */
const PROCESS_STATE = ['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork', 'procexit', 'chdir', 'fchdir',
  'setuid', 'setgid', 'setresuid', 'setresgid', 'setreuid', 'setregid', 'capset', 'setsid', 'setpgid'];

/** The events that give fds their names: needed as soon as a rule reads an event that uses an fd. */
const FD_STATE = ['open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3', 'socket', 'bind', 'accept',
  'accept4', 'pipe', 'pipe2', 'memfd_create', 'connect'];

const USES_FD = new Set(EVENT_TYPES.filter((e) => e.params.some((p) => p.type === 'fd')).map((e) => e.name));

export interface CaptureSet {
  types: string[];
  /** Enabled rules with no event-type restriction: they force every type to be captured. */
  unrestricted: string[];
}

export function captureSet(ruleset: Ruleset, capturable: ReadonlySet<string>): CaptureSet {
  const wanted = new Set<string>(PROCESS_STATE);
  const unrestricted: string[] = [];
  for (const rule of ruleset.rules()) {
    if (!ruleset.isEnabled(rule.name)) continue;
    if (rule.evttypes === 'all') {
      unrestricted.push(rule.name);
      for (const t of capturable) wanted.add(t);
    } else {
      for (const t of rule.evttypes) wanted.add(t);
    }
  }
  if ([...wanted].some((t) => USES_FD.has(t))) for (const t of FD_STATE) wanted.add(t);
  return { types: [...wanted].filter((t) => capturable.has(t)).sort(), unrestricted };
}
