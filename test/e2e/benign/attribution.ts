// Which alerts the benign workload caused. Other test files and helpers use this host at the same
// time (their containers, their dpkg, their builds), so "no alert at all during the session" would
// fail for reasons that have nothing to do with the workload. An alert is the workload's when:
// - it comes from a container the workload started (its id, build-step containers included, or a
//   name carrying TAG), whatever the rule and whatever the process: that is the whole point; or
// - any field it names carries TAG or one of those container ids: the host steps put TAG on their
//   command lines and paths (the work directory, the package name, the log directory), and the
//   runtime's own processes (runc, containerd-shim) name the container id on theirs.
// What this can miss: a host process of the workload whose alert names no TAG-bearing field (a
// grandchild with an untagged command line, in a rule whose output shows no path). Those show up
// in `unattributed`, which the test prints (without failing on it) so a reader can look.
import type { JsonAlert } from '../env.js';

export interface Attribution {
  ours: JsonAlert[];
  unattributed: JsonAlert[];
}

function values(a: JsonAlert): string[] {
  return Object.values(a.output_fields).flatMap((v) => (Array.isArray(v) ? v : [String(v)]));
}

export function attribute(alerts: JsonAlert[], tag: string, containerIds: Set<string>): Attribution {
  const ours: JsonAlert[] = [];
  const unattributed: JsonAlert[] = [];
  const ids = [...containerIds];
  for (const a of alerts) {
    const f = a.output_fields;
    const fromOurContainer = containerIds.has(String(f['container.id'])) || String(f['container.name']).includes(tag);
    const vals = values(a).concat(a.output);
    const namesOurs = vals.some((v) => v.includes(tag) || ids.some((id) => v.includes(id)));
    (fromOurContainer || namesOurs ? ours : unattributed).push(a);
  }
  return { ours, unattributed };
}
