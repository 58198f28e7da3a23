// Streams an event file line by line. A bad line is reported with its line number and skipped (and
// counted), never fatal: one corrupt record must not hide the rest of a capture. Raw files (raw.ts)
// come out the same way: each batch line as the event lines of its records, cgroup lines folded in.
// Only a raw file recorded under another record layout stops the reading, at its header.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FormatError, parseLine, type Line } from './format.js';
import { decodeBatchLine, layoutDifferences } from './raw.js';

/** What a reader hands on: raw lines (batch, cgroup) are already expanded into events. */
export type ReadLine = Exclude<Line, { kind: 'batch' } | { kind: 'cgroup' }>;

export type ReadItem = { ok: true; line: ReadLine; lineNo: number } | { ok: false; lineNo: number; message: string };

export async function* readEventFile(path: string): AsyncGenerator<ReadItem> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bootToEpochNs: bigint | undefined;
  const cgroups = new Map<bigint, string>();
  try {
    for await (const text of rl) {
      lineNo++;
      if (text.trim() === '') continue;
      let line: Line;
      try {
        line = parseLine(text);
      } catch (e) {
        if (!(e instanceof FormatError)) throw e;
        yield { ok: false, lineNo, message: e.message };
        continue;
      }
      switch (line.kind) {
        case 'header':
          if (line.layout !== undefined) {
            const diff = layoutDifferences(line.layout);
            if (diff.length > 0) {
              yield { ok: false, lineNo, message: `recorded with another probe record layout than this build's (${diff.join('; ')}); replay it with the falconet that captured it. Nothing of the file is replayed` };
              return;
            }
            if (line.bootToEpochNs === undefined) {
              yield { ok: false, lineNo, message: 'a header with "layout" needs "bootToEpochNs" too. Nothing of the file is replayed' };
              return;
            }
            bootToEpochNs = line.bootToEpochNs;
          }
          yield { ok: true, line, lineNo };
          break;
        case 'cgroup':
          cgroups.set(line.id, line.path);
          break;
        case 'batch':
          if (bootToEpochNs === undefined) {
            yield { ok: false, lineNo, message: 'a batch line needs a header with "layout" and "bootToEpochNs" before it' };
            break;
          }
          if (line.bootToEpochNs !== undefined) bootToEpochNs = line.bootToEpochNs;
          for (const d of decodeBatchLine(line.data, bootToEpochNs, cgroups)) {
            yield d.ok ? { ok: true, line: { kind: 'event', record: d.record }, lineNo } : { ok: false, lineNo, message: d.message };
          }
          break;
        default:
          yield { ok: true, line, lineNo };
      }
    }
  } finally {
    // Also when the caller or a refused header stops early: let go of the file.
    rl.close();
    input.destroy();
  }
}
