// A channel's alerts on disk while its receiver is away: every alert is appended to
// `<spool_dir>/<channel>.spool` (one JSON string a line) before it is sent, and
// `<channel>.ack` holds the offset of the first alert not yet delivered. A restart of the monitor,
// or a crash, resumes from that offset, so what was spooled and not acknowledged is sent again
// (at least once: an alert in delivery when the monitor died may arrive twice). The page cache
// carries the file across a crash of the monitor; a crash of the host may lose its last writes.
//
// The file only grows while alerts wait; once all are delivered it is truncated, and when the
// delivered and dropped records pass half of spool_max_mb it is compacted. Past spool_max_mb (of
// alerts in delivery and waiting) the oldest waiting alert is dropped and counted, as in memory.

import { closeSync, constants, ftruncateSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertStore } from './store.js';

interface Rec {
  off: number;
  len: number;
}

const ACK_WIDTH = 20;

export class SpoolStore implements AlertStore {
  readonly durable = true;
  private fd: number;
  private readonly ackFd: number;
  private size: number;
  /** Records waiting, oldest first, and the batch in delivery. */
  private queue: Rec[] = [];
  private qHead = 0;
  private inFlight: Rec[] = [];
  /** Bytes of the records in delivery and waiting: what spool_max_mb limits. */
  private live = 0;
  private readonly path: string;
  private unreadable = 0;

  constructor(
    dir: string,
    name: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${name}.spool`);
    this.fd = openSync(this.path, 'a+', 0o600);
    this.ackFd = openSync(join(dir, `${name}.ack`), constants.O_RDWR | constants.O_CREAT, 0o600);
    this.size = fstatSync(this.fd).size;
    this.recover(this.readAck());
  }

  /** How many alerts a previous run left undelivered (found at start). */
  get recovered(): number {
    return this.queue.length;
  }

  get waiting(): number {
    return this.queue.length - this.qHead;
  }

  push(payload: string): number {
    const line = Buffer.from(JSON.stringify(payload) + '\n', 'utf8');
    let dropped = 0;
    if (line.length > this.maxBytes) return 1;
    while (this.live + line.length > this.maxBytes && this.waiting > 0) {
      this.live -= this.queue[this.qHead++]!.len;
      dropped++;
    }
    if (this.live + line.length > this.maxBytes) return dropped + 1;
    this.compactIfWorthIt();
    writeFully(this.fd, line);
    this.queue.push({ off: this.size, len: line.length });
    this.size += line.length;
    this.live += line.length;
    if (this.qHead > 1024 && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
    return dropped;
  }

  take(n: number): string[] {
    const out: string[] = [];
    while (out.length < n && this.qHead < this.queue.length) {
      const r = this.queue[this.qHead++]!;
      this.inFlight.push(r);
      const payload = this.read(r);
      if (payload === undefined) this.unreadable++;
      else out.push(payload);
    }
    return out;
  }

  ack(): void {
    for (const r of this.inFlight) this.live -= r.len;
    this.inFlight = [];
    if (this.waiting === 0) {
      // Everything delivered: start the file over.
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.queue = [];
      this.qHead = 0;
    }
    this.writeAck(this.firstLive());
  }

  discard(): number {
    return 0; // what waits stays on disk for the next run
  }

  close(): void {
    closeSync(this.fd);
    closeSync(this.ackFd);
  }

  private firstLive(): number {
    if (this.inFlight.length) return this.inFlight[0]!.off;
    return this.qHead < this.queue.length ? this.queue[this.qHead]!.off : this.size;
  }

  /**
   * Rewrites the file with only the records in delivery and waiting, once the delivered and
   * dropped ones are half the limit. Records keep their order; the batch in delivery stays first.
   */
  private compactIfWorthIt(): void {
    if (this.size - this.live < this.maxBytes / 2) return;
    const keep = [...this.inFlight, ...this.queue.slice(this.qHead)];
    const tmp = `${this.path}.tmp`;
    const out = openSync(tmp, 'w', 0o600);
    const buf = Buffer.alloc(1 << 16);
    // Copy runs of adjacent records at once.
    for (let i = 0; i < keep.length; ) {
      const from = keep[i]!.off;
      let to = from + keep[i]!.len;
      for (i++; i < keep.length && keep[i]!.off === to; i++) to += keep[i]!.len;
      for (let at = from; at < to; ) {
        const n = readSync(this.fd, buf, 0, Math.min(buf.length, to - at), at);
        if (n <= 0) throw new Error(`${this.path}: shorter than its records`);
        writeFully(out, buf.subarray(0, n));
        at += n;
      }
    }
    closeSync(out);
    // Ack first: a crash between the two then resends the delivered head, never skips a waiting alert.
    this.writeAck(0);
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a+', 0o600);
    let size = 0;
    const moved = keep.map((r) => {
      const m = { off: size, len: r.len };
      size += r.len;
      return m;
    });
    this.inFlight = moved.slice(0, this.inFlight.length);
    this.queue = moved.slice(this.inFlight.length);
    this.qHead = 0;
    this.size = size;
  }

  /** The record's payload; undefined when the line is not one (a damaged file), which is skipped and counted. */
  private read(r: Rec): string | undefined {
    const buf = Buffer.alloc(r.len);
    readSync(this.fd, buf, 0, r.len, r.off);
    try {
      const v: unknown = JSON.parse(buf.toString('utf8', 0, r.len - 1));
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  takeUnreadable(): number {
    const n = this.unreadable;
    this.unreadable = 0;
    return n;
  }

  private readAck(): number {
    const buf = Buffer.alloc(ACK_WIDTH);
    const n = readSync(this.ackFd, buf, 0, ACK_WIDTH, 0);
    const v = Number(buf.toString('ascii', 0, n).trim());
    return Number.isInteger(v) && v >= 0 && v <= this.size ? v : 0;
  }

  private writeAck(off: number): void {
    // A fixed-width record rewritten in place: one small write, never half a number.
    writeSync(this.ackFd, String(off).padStart(ACK_WIDTH - 1, '0') + '\n', 0);
  }

  /** The records from `from` on: complete lines only (a crash may have cut the last one short). */
  private recover(from: number): void {
    const buf = Buffer.alloc(1 << 16);
    let lineStart = from;
    let at = from;
    while (at < this.size) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.size - at), at);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) {
        if (buf[i] !== 0x0a) continue;
        const end = at + i + 1;
        this.queue.push({ off: lineStart, len: end - lineStart });
        this.live += end - lineStart;
        lineStart = end;
      }
      at += n;
    }
    if (lineStart < this.size) {
      ftruncateSync(this.fd, lineStart);
      this.size = lineStart;
    }
  }
}

function writeFully(fd: number, b: Buffer): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off);
}
