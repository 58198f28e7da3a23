// The alert channels a command opens from its settings (see settings.ts for where those come from).

import type { Settings } from '../config/index.js';
import { Outputs, type OutputLog } from '../outputs/index.js';
import { UsageError } from './rule-files.js';
import { VERSION } from './version.js';

export function openOutputs(settings: Settings, log: OutputLog, hostname: string): Outputs {
  try {
    return new Outputs(settings, { log, hostname, version: VERSION });
  } catch (err) {
    // A setting that names a file that cannot be read (a CA, a client key): the user's to fix.
    throw new UsageError((err as Error).message);
  }
}
