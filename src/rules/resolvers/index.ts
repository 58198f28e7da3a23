// Passes over a parsed condition, in the order the loader runs them: macros inlined, lists expanded,
// constants folded; then the event types the rule can match.

export { resolveMacros, type MacroResolution } from './macros.js';
export { expandLists, resolveLists, ResolveError, type ListResolution } from './lists.js';
export { foldConstants } from './fold.js';
export { resolveEvttypes, evttypeSet, EVENT_UNIVERSE, type TypeSet } from './evttypes.js';
