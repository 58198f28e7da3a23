// The settings falconet reads, as one schema: key names are falco.yaml's where the concept is the
// same, so a Falco user's keys carry over. They come from the config file (falconet.yaml and its
// config_files), the command line's flags and `-o key.path=value`, all through this same schema.
// The alert keys are in outputs-schema.ts, the monitor's own in monitor-schema.ts.

import { z } from 'zod';
import { MONITOR_KEYS } from './monitor-schema.js';
import { OUTPUT_KEYS } from './outputs-schema.js';

export const Settings = z.strictObject({ ...MONITOR_KEYS, ...OUTPUT_KEYS });

export type Settings = z.infer<typeof Settings>;
export type ChannelKey = 'stdout_output' | 'file_output' | 'syslog_output' | 'program_output' | 'http_output';
export const CHANNEL_KEYS: readonly ChannelKey[] = ['stdout_output', 'file_output', 'syslog_output', 'program_output', 'http_output'];
