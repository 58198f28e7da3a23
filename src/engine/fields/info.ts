// What a field is, as the rules language checks it and `falconet list-fields` prints it: name, type,
// how it takes an argument, and whether falconet fills it live. The field classes (proc.ts, fd.ts...)
// describe their fields with these; src/rules validates conditions against a FieldCatalog of them.
// Declared here, beside the fields, so the engine never imports from src/rules (rules → engine only).

/** What the pipeline needs to know about fields; the field registry implements it. */
export interface FieldCatalog {
  /** Undefined when no field of that name exists. */
  lookup(name: string): FieldInfo | undefined;
}

export interface FieldInfo {
  name: string;
  type: FieldType;
  desc: string;
  /** How the field takes an argument: none, an index like proc.aname[2], or a key like evt.arg.name / evt.arg[name]. */
  arg: 'none' | 'index' | 'key' | 'optional-index' | 'required-key';
  /** False when falconet never has the data (DNS names, I/O buffers): the field always reads `<NA>`. */
  available?: boolean;
  /**
   * Why `falconet run` does not fill the field on a live host (yet), when it does not: a rule whose
   * condition uses it loads with a warning that says so.
   */
  unavailable?: string;
}

/** Why a field is not filled live, or undefined when it is. */
export function whyUnavailable(info: FieldInfo): string | undefined {
  return info.unavailable ?? (info.available === false ? 'falconet never has this data: it always reads <NA>' : undefined);
}

export type FieldType =
  | 'string'
  | 'number'
  | 'bool'
  | 'ipaddr'
  | 'ipnet'
  | 'port'
  | 'abstime'
  | 'reltime'
  | 'bytes'
  /** Several values at once (proc.aname without index, fd.types, container.mounts...). */
  | 'list';

