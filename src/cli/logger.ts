// The monitor's own log (never alerts, which have stdout to themselves): pino on stderr, JSON lines
// by default, for log collectors; when stderr is a terminal, one readable line per entry instead
// (FALCONET_LOG_FORMAT=json|text overrides the guess). Field values are JSON-quoted in both forms, so
// a hostile file name in a log entry cannot forge a line or repaint the terminal.

import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export function createLogger(level = 'info', stream: NodeJS.WriteStream = process.stderr): Logger {
  const format = process.env.FALCONET_LOG_FORMAT ?? (stream.isTTY ? 'text' : 'json');
  const opts = { name: 'falconet', level: process.env.FALCONET_LOG_LEVEL ?? level };
  if (format !== 'text') return pino(opts, pino.destination(2));
  const readable = new Writable({
    write(chunk: Buffer, _enc, done) {
      stream.write(readableLines(chunk.toString()));
      done();
    },
  });
  return pino(opts, readable);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/** pino's JSON lines as "HH:MM:SS.mmm LEVEL message key=value ...". */
export function readableLines(json: string): string {
  let out = '';
  for (const line of json.split('\n')) {
    if (!line) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      out += line + '\n';
      continue;
    }
    const time = new Date(typeof e.time === 'number' ? e.time : Date.now()).toISOString().slice(11, 23);
    let text = `${time} ${LEVELS[e.level as number] ?? String(e.level)} ${String(e.msg ?? '')}`;
    for (const [k, v] of Object.entries(e)) {
      if (OMIT.has(k)) continue;
      text += ` ${k}=${JSON.stringify(v)}`;
    }
    out += text + '\n';
  }
  return out;
}
