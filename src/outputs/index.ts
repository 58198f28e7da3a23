export { buildAlert, internalAlert, type Alert, type AlertFieldValue } from './alert.js';
export { escapeText, isSafeText } from './escape.js';
export { alertJson, alertLine, DEFAULT_RENDER, Rendered, type RenderOptions } from './render.js';
export { Outputs, type OutputsContext } from './outputs.js';
export type { ChannelStats, OutputLog } from './worker.js';
