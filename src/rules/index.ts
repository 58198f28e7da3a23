// What the rest of falconet uses from the rules language: load rule files, print their diagnostics.
// The stages (reader, collector, resolvers...) stay internal to this folder.

export { loadRules, type LoadOptions, type LoadResult, type RuleFile } from './loader.js';
export { caretLine, formatDiagnostic, formatReport, sortDiagnostics, summarizeDiagnostics } from './diagnostics.js';
export { positionOf } from './source-map.js';
export { forEachLeaf } from './resolvers/walk.js';
export * from './types.js';
export type * from './ast.js';
