// Streams an event file line by line. A bad line is reported with its line number and skipped (and
// counted), never fatal: one corrupt record must not hide the rest of a capture.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FormatError, parseLine, type Line } from './format.js';

export type ReadItem = { ok: true; line: Line; lineNo: number } | { ok: false; lineNo: number; message: string };

export async function* readEventFile(path: string): AsyncGenerator<ReadItem> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const text of rl) {
    lineNo++;
    if (text.trim() === '') continue;
    try {
      yield { ok: true, line: parseLine(text), lineNo };
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      yield { ok: false, lineNo, message: e.message };
    }
  }
}
