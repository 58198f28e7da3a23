// The field registry: every field class table in one index. It is the FieldCatalog the rule
// pipeline validates against, the binder the compiler and output templates use, and the source of
// `falconet list-fields`, so the docs and the engine cannot drift apart.

import { whyUnavailable, type FieldCatalog, type FieldInfo } from './info.js';
import { containerFields } from './container.js';
import { evtFields } from './evt.js';
import { fdFields } from './fd.js';
import { fsFields } from './fs.js';
import { k8sFields } from './k8s.js';
import { procFields, threadFields } from './proc.js';
import type { Extractor, FieldClass, FieldDescriptor, Multiplicity, SomeTester } from './types.js';
import { groupFields, userFields } from './user.js';

/** A field bound to its argument, ready to run per event. */
export interface BoundField {
  descriptor: FieldDescriptor;
  arg: string | undefined;
  extract: Extractor;
  multi: Multiplicity | undefined;
  /** For 'any' fields, an allocation-free "does any value pass" walk (see FieldDescriptor.some). */
  some?: SomeTester;
}

/** One line of `falconet list-fields`. */
export interface FieldListing {
  className: string;
  name: string;
  type: FieldInfo['type'];
  arg: FieldInfo['arg'];
  desc: string;
  /** Filled by `falconet run` on a live host. */
  available: boolean;
  /** Why not, when it is not. */
  unavailable?: string;
  /** How the field is written with its argument, e.g. `proc.aname[N]`, `evt.arg.NAME`. */
  usage: string;
}

export class FieldRegistry implements FieldCatalog {
  private readonly byName = new Map<string, FieldDescriptor>();
  private readonly dotted: FieldDescriptor[] = [];

  constructor(readonly classes: readonly FieldClass[]) {
    for (const c of classes) {
      for (const f of c.fields) {
        if (this.byName.has(f.name)) throw new Error(`field ${f.name} is declared twice`);
        this.byName.set(f.name, f);
        if (f.dottedArg) this.dotted.push(f);
      }
    }
    // Longest prefix first, so `k8s.pod.label.app` never binds to a shorter dotted field.
    this.dotted.sort((a, b) => b.name.length - a.name.length);
  }

  /** FieldCatalog: a field by name; `evt.arg.flags` finds `evt.arg`. */
  lookup(name: string): FieldInfo | undefined {
    return this.resolve(name, undefined)?.descriptor;
  }

  /**
   * The descriptor and argument for a field as written. The parser may hand `evt.arg.flags` either
   * whole or already split into ('evt.arg', 'flags'); both resolve the same way.
   */
  resolve(name: string, arg: string | undefined): { descriptor: FieldDescriptor; arg: string | undefined } | undefined {
    const exact = this.byName.get(name);
    if (exact) return { descriptor: exact, arg };
    if (arg !== undefined) return undefined;
    for (const f of this.dotted) {
      if (name.startsWith(`${f.name}.`) && name.length > f.name.length + 1) {
        return { descriptor: f, arg: name.slice(f.name.length + 1) };
      }
    }
    return undefined;
  }

  /** Binds a field for evaluation; a string is an error message (unknown field or bad argument). */
  bind(name: string, arg: string | undefined, forJson = false): BoundField | string {
    const r = this.resolve(name, arg);
    if (!r) return `unknown field '${name}'`;
    const { descriptor, arg: a } = r;
    const extract = (forJson && descriptor.bindJson ? descriptor.bindJson : descriptor.bind)(a);
    if (typeof extract === 'string') return extract;
    const some = descriptor.some?.(a);
    return some ? { descriptor, arg: a, extract, multi: descriptor.multi?.(a), some } : { descriptor, arg: a, extract, multi: descriptor.multi?.(a) };
  }

  list(): FieldListing[] {
    return this.classes.flatMap((c) =>
      c.fields.map((f) => {
        const why = whyUnavailable(f);
        return {
          className: c.name,
          name: f.name,
          type: f.type,
          arg: f.arg,
          desc: f.desc,
          available: why === undefined,
          ...(why !== undefined ? { unavailable: why } : {}),
          usage: usage(f),
        };
      }),
    );
  }
}

function usage(f: FieldDescriptor): string {
  switch (f.arg) {
    case 'none':
      return f.name;
    case 'index':
      return `${f.name}[N]`;
    case 'optional-index':
      return `${f.name}, ${f.name}[N]`;
    case 'key':
      return `${f.name}, ${f.name}[KEY]`;
    case 'required-key':
      return f.dottedArg ? `${f.name}.KEY, ${f.name}[KEY]` : `${f.name}[KEY]`;
  }
}

export const FIELD_CLASSES: readonly FieldClass[] = [
  evtFields,
  procFields,
  threadFields,
  userFields,
  groupFields,
  fdFields,
  fsFields,
  containerFields,
  k8sFields,
];

/** The registry of every syscall-source field. Tables are immutable, so one instance is shared. */
export const fieldRegistry = new FieldRegistry(FIELD_CLASSES);
