// The shape every field class table shares: a descriptor per field, bound once at compile time into
// an extractor that runs per event. Field classes (evt.ts, proc.ts, ...) only export tables of these.

import type { EngineContext, SyscallEvent } from '../event.js';
import type { FieldInfo } from './info.js';

/**
 * One extracted value. `undefined` means "not available" (Falco prints `<NA>`), never a guess.
 * Numbers that can exceed 2^53 (timestamps, capability sets) are bigints.
 */
export type FieldValue = string | number | bigint | boolean | readonly string[] | undefined;

/** Reads one field of one event. Must not throw and should not allocate when it can avoid it. */
export type Extractor = (evt: SyscallEvent, ctx: EngineContext) => FieldValue;

/** Calls `test` on each value in turn (text, or numbers for proc.apid); true as soon as one passes, false when none does. */
export type SomeTester = (evt: SyscallEvent, ctx: EngineContext, test: (v: string | number) => boolean) => boolean;

/**
 * How a field yields several values.
 * - 'any': every element is a candidate (proc.aname without index matches if any ancestor does);
 *   every operator is "some element satisfies it".
 * - 'list': a real list (fd.types, container.mounts); `in` means all elements are in the set,
 *   `intersects` means at least one is, other operators hold for at least one element.
 */
export type Multiplicity = 'any' | 'list';

export interface FieldDescriptor extends FieldInfo {
  /**
   * Compiles the field with its argument (`2` in proc.aname[2], `flags` in evt.arg.flags). Returns an
   * error message for a bad or missing argument.
   */
  bind(arg: string | undefined): Extractor | string;
  /** Set when the field yields string[] (for the given argument); see Multiplicity. */
  multi?: (arg: string | undefined) => Multiplicity | undefined;
  /**
   * For 'any' fields: tests the values one by one without building the array (the ancestor walk
   * of proc.aname stops at the first match). The compiler prefers it over `bind` in conditions.
   */
  some?: (arg: string | undefined) => SomeTester | undefined;
  /**
   * Filter-only fields that mean "either of these" (fd.ip = fd.cip or fd.sip). The compiler expands
   * a comparison on such a field into an `or` of comparisons on the alternatives (`and` for `!=`).
   */
  alternatives?: readonly string[];
  /** The argument may also follow a dot (`evt.arg.flags` for `evt.arg[flags]`). */
  dottedArg?: boolean;
  /** The value JSON output_fields carry when it differs from the text form (evt.time: raw ns). */
  bindJson?: (arg: string | undefined) => Extractor | string;
}

/** A field class: one table, as `falconet list-fields` prints it. */
export interface FieldClass {
  name: string;
  desc: string;
  fields: readonly FieldDescriptor[];
}

/** Descriptor helpers shared by the class tables, so each table row stays one line. */
export function plain(
  name: string,
  type: FieldInfo['type'],
  desc: string,
  extract: Extractor,
  extra: Partial<FieldDescriptor> = {},
): FieldDescriptor {
  return { name, type, desc, arg: 'none', bind: (arg) => (arg === undefined ? extract : `${name} takes no argument`), ...extra };
}

/** A field that takes a non-negative index: `proc.aname[2]`. */
export function indexed(
  name: string,
  type: FieldInfo['type'],
  desc: string,
  make: (index: number) => Extractor,
  withoutIndex?: Extractor,
  extra: Partial<FieldDescriptor> = {},
): FieldDescriptor {
  return {
    name,
    type,
    desc,
    arg: withoutIndex ? 'optional-index' : 'index',
    bind(arg) {
      if (arg === undefined) return withoutIndex ?? `${name} needs an index, like ${name}[1]`;
      const n = parseIndex(arg);
      return n === undefined ? `${name}[${arg}]: index must be a number` : make(n);
    },
    ...extra,
  };
}

/** A field that needs a key: `k8s.pod.label[app]`, `proc.env[HOME]`. */
export function keyed(
  name: string,
  type: FieldInfo['type'],
  desc: string,
  make: (key: string) => Extractor | string,
  withoutKey?: Extractor,
  extra: Partial<FieldDescriptor> = {},
): FieldDescriptor {
  return {
    name,
    type,
    desc,
    arg: withoutKey ? 'key' : 'required-key',
    bind: (arg) => (arg === undefined ? (withoutKey ?? `${name} needs a key, like ${name}[name]`) : make(arg)),
    ...extra,
  };
}

export function parseIndex(text: string): number | undefined {
  return /^\d{1,6}$/.test(text) ? Number(text) : undefined;
}

/** An extractor for fields whose data falconet cannot have: always `<NA>`. */
export const notAvailable: Extractor = () => undefined;
