// The monitor's own log (never alerts): pino, JSON lines on stderr.

import { pino, type Logger } from 'pino';

export function createLogger(level = 'info'): Logger {
  return pino({ name: 'falconet', level: process.env.FALCONET_LOG_LEVEL ?? level }, pino.destination(2));
}
