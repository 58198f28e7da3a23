// Reads the version requirements a rules file may declare: `required_engine_version` and
// `required_plugin_versions` (each requirement with its alternatives). Whether they are met is the
// collector's call.

import { isMap, isSeq, type Node } from 'yaml';
import { parseEngineVersion, showVersion } from './engine-version.js';
import type { EngineVersionItem, Place, PluginVersionsItem } from './items.js';
import { deref, entries, placeOf, readText, report, type ReadCtx } from './yaml-values.js';

export function readEngineVersion(ctx: ReadCtx, node: Node | undefined, at: Place): EngineVersionItem | undefined {
  const v = readText(ctx, node, 'required_engine_version', at);
  if (!v) return undefined;
  // Falco accepts a bare number (the old engine version scheme, N meaning 0.N.0) or a semver string.
  const parsed = parseEngineVersion(v.value);
  if (!parsed) return report(ctx, 'bad-value', `engine version '${v.value}' is not a semver version like 0.57.0 (or an old-style integer like 26)`, v.place);
  return { kind: 'required_engine_version', version: showVersion(parsed), parsed, place: v.place };
}

export function readPlugins(ctx: ReadCtx, node: Node | undefined, at: Place): PluginVersionsItem | undefined {
  if (!isSeq(node)) return report(ctx, 'bad-value', "'required_plugin_versions' must be a list", node ? placeOf(ctx, node) : at);
  const requirements: PluginVersionsItem['requirements'] = [];
  for (const raw of node.items) {
    const entry = deref(ctx, raw);
    if (!isMap(entry)) return report(ctx, 'bad-value', 'a plugin requirement must be a mapping with name and version', placeOf(ctx, entry ?? node));
    const kv = entries(ctx, entry);
    const get = (k: string): Node | undefined => kv.find((e) => e.key === k)?.value;
    const name = readText(ctx, get('name'), 'name', placeOf(ctx, entry));
    const version = readText(ctx, get('version'), 'version', placeOf(ctx, entry));
    if (!name || !version) return undefined;
    const names = [name.value];
    const alts = get('alternatives');
    if (alts !== undefined) {
      if (!isSeq(alts)) return report(ctx, 'bad-value', "'alternatives' must be a list", placeOf(ctx, alts));
      for (const a of alts.items) {
        const alt = deref(ctx, a);
        if (!isMap(alt)) return report(ctx, 'bad-value', 'a plugin alternative must be a mapping with name and version', placeOf(ctx, alt ?? alts));
        const altName = readText(ctx, entries(ctx, alt).find((e) => e.key === 'name')?.value, 'name', placeOf(ctx, alt));
        if (!altName) return undefined;
        names.push(altName.value);
      }
    }
    requirements.push({ names, version: version.value, place: name.place });
  }
  return { kind: 'required_plugin_versions', requirements, place: placeOf(ctx, node) };
}
