// `falconet config [-c PATH] [-o ...]`: the effective configuration as YAML, every setting with a
// trailing comment that says where its value came from (`# default`, `# /etc/falconet/falconet.yaml:12:3`,
// `# -o json_output=true`, `# --json`). The output is itself a valid config file.

import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Path } from '../config/index.js';
import { commandSettings, type CommandSettings, type SettingFlags } from './settings.js';

export function printConfig(flags: SettingFlags): number {
  const c = commandSettings(flags);
  for (const w of c.warnings) process.stderr.write(`falconet: warning: ${w}\n`);
  process.stdout.write(configYaml(c));
  return 0;
}

export function configYaml(c: Pick<CommandSettings, 'settings' | 'origin' | 'files'>): string {
  const doc = new Document(c.settings);
  if (doc.contents) annotate(doc.contents, [], c.origin, true);
  const read = c.files.length ? c.files.map((f) => `\n   ${f}`).join('') : ' none';
  doc.commentBefore = ` falconet's effective configuration: each value says where it came from.\n config files read:${read}`;
  return doc.toString({ lineWidth: 0 });
}

/** Puts each value's origin in a comment after it: on scalars, on list items, on empty collections. */
function annotate(node: Node, path: Path, origin: (path: Path) => string, top = false): void {
  if (isMap(node)) {
    if (node.items.length === 0) return commentEmpty(node, path, origin);
    let afterSection = false;
    node.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = pair.value as Node | null;
      const section = isMap(value) || isSeq(value);
      // A blank line around each section, as falco.yaml reads.
      if (top && i > 0 && isScalar(pair.key) && (section || afterSection)) pair.key.spaceBefore = true;
      afterSection = section;
      if (value) annotate(value, [...path, key], origin);
    });
  } else if (isSeq(node)) {
    if (node.items.length === 0) return commentEmpty(node, path, origin);
    node.items.forEach((item, i) => annotate(item as Node, [...path, i], origin));
  } else {
    node.comment = ` ${origin(path)}`;
  }
}

function commentEmpty(node: Node & { flow?: boolean }, path: Path, origin: (path: Path) => string): void {
  node.flow = true;
  node.comment = ` ${origin(path)}`;
}
