// The positioned items the reader produces and the collector consumes: one per YAML sequence entry,
// keeping where every value was written so later stages can point at it.

import type { ConditionSource } from './ast.js';
import type { EngineVersion } from './engine-version.js';
import type { Position, Priority } from './types.js';

/** Where a YAML node was written: its start and how many characters to underline. */
export interface Place {
  pos: Position;
  length: number;
}

/** A decoded string and where it was written; `src` maps offsets inside it to the file. */
export interface Text {
  value: string;
  place: Place;
  src: ConditionSource;
}

export type OverrideMode = 'append' | 'replace';

/** An exception entry: a string, or a list of entries (tuples, and lists inside tuples). */
export type ExceptionEntry = { kind: 'item'; text: Text } | { kind: 'list'; items: ExceptionEntry[]; place: Place };

export interface ExceptionSpec {
  name: string;
  place: Place;
  /** The name's source: spans of the nodes built for this exception point at it. */
  nameSrc: ConditionSource;
  fields?: ExceptionEntry;
  comps?: ExceptionEntry;
  /** Each value is one tuple (list form) or one value (single-field form). */
  values: ExceptionEntry[];
  hasValues: boolean;
}

export interface ListItem {
  kind: 'list';
  name: string;
  place: Place;
  items: Text[];
  /** Legacy `append: true` or `override: {items: append}`. */
  append: boolean;
}

export interface MacroItem {
  kind: 'macro';
  name: string;
  place: Place;
  condition: Text;
  append: boolean;
}

/** The keys a rule item may set; all optional because appends and overrides set only some. */
export interface RuleFields {
  condition?: Text;
  output?: Text;
  desc?: Text;
  priority?: Priority;
  enabled?: boolean;
  tags?: string[];
  source?: string;
  exceptions?: ExceptionSpec[];
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
}

export type RuleKey = keyof RuleFields;

export interface RuleItem {
  kind: 'rule';
  name: string;
  place: Place;
  fields: RuleFields;
  /**
   * define: a full rule; enable: only `enabled:` (legacy toggle); append: legacy `append: true`;
   * override: per-key modes from the `override:` mapping.
   */
  mode: 'define' | 'enable' | 'append' | 'override';
  overrides: Map<RuleKey, OverrideMode>;
}

export interface EngineVersionItem {
  kind: 'required_engine_version';
  /** As x.y.z (an old-style integer N reads as 0.N.0). */
  version: string;
  parsed: EngineVersion;
  place: Place;
}

export interface PluginVersionsItem {
  kind: 'required_plugin_versions';
  /** Each requirement with its alternatives: satisfied when any of them is. */
  requirements: { names: string[]; version: string; place: Place }[];
  place: Place;
}

export type Item = ListItem | MacroItem | RuleItem | EngineVersionItem | PluginVersionsItem;
