// file_output: alert lines appended to a file. Without keep_alive (Falco's default) the file is
// opened for each write, so rotation needs nothing; with it the file stays open and is reopened
// on SIGUSR1 (as in Falco) and when it was rotated away (renamed or deleted: the path now names
// another file or none). Appends use O_APPEND, so a copytruncate rotation is followed as well.
// Missing parent directories are created; errors (EACCES, EROFS, ENOSPC) name the file and are
// retried by the worker, alerts waiting meanwhile. A write a full disk cut short is taken back
// first, so the retry tears no line.

import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DeliveryError, type Sink } from '../sink.js';

export class FileSink implements Sink {
  readonly name = 'file';
  private handle: FileHandle | undefined;
  private ino = -1;
  private reopenAsked = false;
  readonly path: string;

  constructor(
    filename: string,
    private readonly keepAlive: boolean,
    readonly batch: number,
  ) {
    this.path = resolve(filename);
  }

  /** SIGUSR1: the next write reopens the file. */
  reopen(): void {
    this.reopenAsked = true;
  }

  async deliver(lines: readonly string[]): Promise<void> {
    const data = lines.join('\n') + '\n';
    try {
      if (!this.keepAlive) {
        const h = await this.openFile();
        try {
          await appendWhole(h, data);
        } finally {
          await h.close();
        }
        return;
      }
      if (this.handle && (this.reopenAsked || (await this.rotated()))) await this.closeHandle();
      this.reopenAsked = false;
      if (!this.handle) {
        this.handle = await this.openFile();
        this.ino = (await this.handle.stat()).ino;
      }
      await appendWhole(this.handle, data);
    } catch (err) {
      if (this.keepAlive) await this.closeHandle();
      // Node's message starts with the code already: "ENOSPC: no space left on device, write"
      throw new DeliveryError(`file_output.filename ${this.path}: ${(err as Error).message}`);
    }
  }

  private async openFile(): Promise<FileHandle> {
    try {
      return await open(this.path, 'a', 0o640);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(this.path), { recursive: true, mode: 0o750 });
      return await open(this.path, 'a', 0o640);
    }
  }

  private async rotated(): Promise<boolean> {
    try {
      return (await stat(this.path)).ino !== this.ino;
    } catch {
      return true;
    }
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }
}

/**
 * Appends all of `data` or nothing: a write cut short (a disk that fills up mid-line) is taken back,
 * so the retry does not leave a torn line in front of the whole one.
 */
async function appendWhole(h: FileHandle, data: string): Promise<void> {
  const { size } = await h.stat();
  try {
    await h.appendFile(data);
  } catch (err) {
    // Only shrink: a file truncated meanwhile (copytruncate) must not grow a NUL hole back.
    await h
      .stat()
      .then((now) => (now.size > size ? h.truncate(size) : undefined))
      .catch(() => {});
    throw err;
  }
}
