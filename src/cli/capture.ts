// `falconet capture -w FILE`: record live events, with the process table and users, for `replay`.

import { createWriteStream } from 'node:fs';
import { captureSet } from '../engine/capture-set.js';
import { encodeLine, FORMAT_VERSION } from '../engine/replay/format.js';
import { ProcCgroupSource } from '../metadata/cgroup-source.js';
import { hostName, hostUsers } from './host.js';
import { ALL_TYPES, runLiveSession } from './live.js';
import { createLogger } from './logger.js';
import { loadRuleFiles, reportDiagnostics } from './rule-files.js';

const MAX_BUFFERED = 64 << 20;

export interface CaptureOptions {
  write: string;
  rules?: string[];
  duration?: number;
}

export async function capture(opts: CaptureOptions): Promise<number> {
  const log = createLogger();
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
  const users = hostUsers();
  out.write(encodeLine({ kind: 'header', version: FORMAT_VERSION, hostname: hostName(), users: users.allUsers(), groups: users.allGroups() }) + '\n');
  // Live records carry only a cgroup id; the file carries the path so a replay elsewhere knows it.
  const cgroups = new ProcCgroupSource();
  let written = 0;
  let dropped = 0;
  const result = await runLiveSession({
    eventTypes: types,
    durationSec: opts.duration,
    log,
    onSnapshot: (procs) => {
      for (const proc of procs) out.write(encodeLine({ kind: 'proc', proc }) + '\n');
    },
    onRecord: (rec) => {
      // A disk slower than the host's syscalls must not grow memory without bound: drop and count.
      if (out.writableLength > MAX_BUFFERED) {
        dropped++;
        return;
      }
      const cgroup = cgroups.pathOf(rec.pid, rec.cgroupId);
      out.write(encodeLine({ kind: 'event', record: cgroup === undefined ? rec : { ...rec, cgroup } }) + '\n');
      written++;
    },
    onDrops: (ring, batch) => log.warn({ ringDrops: ring, batchDrops: batch }, 'events dropped'),
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (writeError) {
    log.error({ file: opts.write, err: writeError.message }, 'writing the capture failed');
    return 1;
  }
  if (dropped > 0) log.warn({ file: opts.write, dropped }, 'records dropped because the file could not keep up');
  log.info({ file: opts.write, events: written, dropped, ...result }, 'capture written');
  return 0;
}
