// program_output: alerts on a program's stdin. The command is the user's own text, run by
// /bin/sh -c as Falco does (so it may be a pipeline); alert values only ever reach the program's
// stdin, never its command line or environment. The program's own output goes to falconet's stderr
// (the log), never into the alert stream on stdout.
// - One process per alert (Falco's default): the alert is written, stdin closed, and the process
//   must exit within timeout_ms: a non-zero exit or a kill at the deadline counts the alert failed.
// - keep_alive: one long-lived process fed every alert; if it dies it is started again (with
//   backoff, by the worker's retry), and if it stops reading for timeout_ms it is killed and restarted.
// Each process leads its own process group, so a kill reaches the whole pipeline.

import { spawn, type ChildProcess } from 'node:child_process';
import { DeliveryError, type Sink } from '../sink.js';
import type { OutputLog } from '../worker.js';

export class ProgramSink implements Sink {
  readonly name = 'program';
  readonly batch: number;
  private child: ChildProcess | undefined;

  constructor(
    private readonly command: string,
    private readonly keepAlive: boolean,
    private readonly timeoutMs: number,
    private readonly log: OutputLog,
  ) {
    this.batch = keepAlive ? 64 : 1;
  }

  deliver(lines: readonly string[], signal: AbortSignal): Promise<void> {
    return this.keepAlive ? this.feed(lines, signal) : this.once(lines[0]!, signal);
  }

  private start(): ChildProcess {
    const child = spawn('/bin/sh', ['-c', this.command], { stdio: ['pipe', 2, 2], detached: true });
    child.stdin!.on('error', () => {}); // EPIPE shows in the write callback
    return child;
  }

  private once(line: string, signal: AbortSignal): Promise<void> {
    const child = this.start();
    return settle(signal, this.timeoutMs, (finish) => {
      child.on('error', (err) => finish(new DeliveryError(`program: ${err.message}`)));
      child.on('exit', (code, sig) => {
        if (code === 0) finish();
        else finish(new DeliveryError(`program exited with ${sig ? `signal ${sig}` : `status ${code}`}`, true));
      });
      child.stdin!.end(line + '\n');
      return {
        onTimeout: () => {
          killGroup(child);
          return new DeliveryError(`program did not exit within ${this.timeoutMs} ms: killed`, true);
        },
        onAbort: () => {
          killGroup(child);
          return new DeliveryError('program: shut down while it ran');
        },
      };
    });
  }

  private feed(lines: readonly string[], signal: AbortSignal): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) {
      const child = this.start();
      child.on('exit', (code, sig) => {
        // Not when close() ended it: then this.child is already cleared.
        if (this.child !== child) return;
        this.child = undefined;
        this.log.warn({ channel: 'program', status: code, signal: sig }, 'program_output program exited; it is started again for the next alert');
      });
      child.on('error', () => {
        if (this.child === child) this.child = undefined;
      });
      this.child = child;
    }
    const child = this.child;
    const onExit = (finish: Finish) => () => finish(new DeliveryError('program exited before it read the alert'));
    let exitListener: (() => void) | undefined;
    return settle(signal, this.timeoutMs, (finish) => {
      exitListener = onExit(finish);
      child.once('exit', exitListener);
      child.stdin!.write(lines.join('\n') + '\n', (err) => finish(err ? new DeliveryError(`program: ${err.message}`) : undefined));
      return {
        onTimeout: () => {
          // Not reading its stdin: stuck. Kill it; the retry starts a new one.
          killGroup(child);
          return new DeliveryError(`program took no input for ${this.timeoutMs} ms: killed, to be started again`);
        },
        onAbort: () => new DeliveryError('program: shut down while writing'),
      };
    }).finally(() => {
      if (exitListener) child.off('exit', exitListener);
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    // Let it finish what it read: close its stdin, give it a moment, then end it.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin!.end();
    const t = setTimeout(() => killGroup(child), 2000);
    await exited;
    clearTimeout(t);
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

type Finish = (err?: DeliveryError) => void;

/**
 * One delivery's promise: settled once, by `finish` (what `start` wires to the process), by the
 * timeout, or by shutdown, whichever comes first; the timer and the abort listener are cleaned up.
 */
function settle(
  signal: AbortSignal,
  timeoutMs: number,
  start: (finish: Finish) => { onTimeout: () => DeliveryError; onAbort: () => DeliveryError },
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let abort: (() => void) | undefined;
    const finish: Finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (abort) signal.removeEventListener('abort', abort);
      if (err) reject(err);
      else resolve();
    };
    const on = start(finish);
    if (settled) return;
    timer = setTimeout(() => finish(on.onTimeout()), timeoutMs);
    abort = () => finish(on.onAbort());
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}
