// Public surface of the field classes: the registry, the descriptor types, and the text renderers
// other layers (alerts, list-fields) reuse.

export { FieldRegistry, fieldRegistry, FIELD_CLASSES, type BoundField, type FieldListing } from './registry.js';
export type { Extractor, FieldClass, FieldDescriptor, FieldValue, Multiplicity, SomeTester } from './types.js';
export { renderRes, renderCaps, renderFlags, renderEnum, renderMode, FLAG_SETS, ENUMS } from './render.js';
export { formatTime, formatIso8601, formatDateTime } from './time.js';
export { globToRegExp } from './glob.js';
