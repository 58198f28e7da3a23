export type { OutputChannel, RenderedAlert } from './channel.js';
export { BoundedQueue, type QueueStats } from './queue.js';
export { fileChannel, stdoutChannel, StreamChannel } from './stream.js';
