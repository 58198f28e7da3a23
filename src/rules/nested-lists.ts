// Lists inside lists: an item that names a list defined earlier is replaced by that list's items
// (Falco's rule; a list defined later is just a string). Nested references are followed, each with the
// visibility of the list being expanded, and a cycle cannot loop because only earlier lists are seen.

import type { CollectedList } from './collector.js';

export interface ExpandedLists {
  /** Every list with its items flattened, in definition order. */
  items: Map<string, string[]>;
  /** Lists named by another list's items. */
  used: Set<string>;
}

export function expandListItems(lists: ReadonlyMap<string, CollectedList>): ExpandedLists {
  const items = new Map<string, string[]>();
  const used = new Set<string>();
  const expand = (list: CollectedList, visibility: number, depth: number): string[] => {
    const out: string[] = [];
    for (const item of list.items) {
      const ref = lists.get(item.value);
      if (ref && ref !== list && ref.index < visibility && depth < 64) {
        used.add(ref.name);
        out.push(...expand(ref, Math.min(visibility, ref.visibility), depth + 1));
      } else {
        out.push(item.value);
      }
    }
    return out;
  };
  for (const list of lists.values()) items.set(list.name, expand(list, list.visibility, 0));
  return { items, used };
}
