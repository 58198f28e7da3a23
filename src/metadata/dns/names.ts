// Which domain names the rules ask about: the constants a condition compares fd.sip.name,
// fd.cip.name, fd.lip.name or fd.rip.name with. As libsinsp does, falconet resolves only these names
// (it never does reverse lookups): the fields then answer with the name whose addresses hold the
// event's IP. Pure: give it rule conditions, get names.

import { forEachLeaf, type Expr, type Value } from '../../rules/index.js';

/** The fields whose values are names resolved from the rules' constants. */
export const DNS_NAME_FIELDS: ReadonlySet<string> = new Set(['fd.sip.name', 'fd.cip.name', 'fd.lip.name', 'fd.rip.name']);

/** Operators whose right side names hosts: equality and set membership. */
const NAME_OPS: ReadonlySet<string> = new Set(['=', '==', '!=', 'in', 'intersects']);

function constants(v: Value): string[] {
  switch (v.kind) {
    case 'literal':
      return [v.value];
    // A bare word no list resolved is a literal, as the compiler reads it.
    case 'listref':
      return [v.name];
    case 'list':
      return v.items.map((i) => (i.kind === 'literal' ? i.value : i.name));
    case 'fieldval':
      return [];
  }
}

/**
 * The names the conditions compare a DNS name field with, in first-seen order. Conditions are the
 * resolved ones (macros inlined, lists expanded), so `fd.sip.name in (k8s_api_server)` style
 * indirections are already constants here.
 */
export function dnsNamesOf(conditions: Iterable<Expr>): string[] {
  const out = new Set<string>();
  for (const c of conditions) {
    forEachLeaf(c, (l) => {
      if (l.kind !== 'compare' || !DNS_NAME_FIELDS.has(l.field.name) || !NAME_OPS.has(l.op)) return;
      for (const v of constants(l.value)) if (v.trim() !== '') out.add(v.trim());
    });
  }
  return [...out];
}
