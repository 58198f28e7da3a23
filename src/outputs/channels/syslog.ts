// syslog_output's transports. Local: the datagram socket at /dev/log (or another path), as syslog(3)
// writes it, reconnected when the daemon restarts (ECONNREFUSED, ENOENT). Remote: UDP (a datagram
// a message), TCP with RFC 6587 octet counting, or TLS; the connection is reopened when it drops.
// TCP takes bytes into the kernel, not into the collector: a message written as the collector
// closes its end can be lost without an error (as with every plain-TCP syslog sender). A full
// daemon queue (a burst of alerts) is waited out, not failed, and a collector that stops reading
// holds up shutdown no longer than outputs_queue.drain_timeout_ms.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogAddress } from '../../config/index.js';
import { DeliveryError, transient, type Sink } from '../sink.js';
import { octetCounted } from '../syslog-format.js';
import { UnixDgramError, UnixDgramSocket } from '../unix-dgram.js';

export interface SyslogTls {
  caCert: string;
  clientCert: string;
  clientKey: string;
  insecure: boolean;
}

export function syslogSink(address: SyslogAddress, tls: SyslogTls): Sink {
  switch (address.transport) {
    case 'unix':
      return new UnixSyslogSink(address.path);
    case 'udp':
      return new UdpSyslogSink(address.host, address.port);
    default:
      return new StreamSyslogSink(address.transport, address.host, address.port, tls);
  }
}

class UnixSyslogSink implements Sink {
  readonly name = 'syslog';
  readonly batch = 64;
  private socket: UnixDgramSocket | undefined;
  /** How much of the batch in delivery the daemon took: the worker's retry (the same array) goes on from there. */
  private progress: { batch: readonly string[]; sent: number } | undefined;

  constructor(private readonly path: string) {}

  async deliver(msgs: readonly string[], signal: AbortSignal): Promise<void> {
    const progress = this.progress?.batch === msgs ? this.progress : { batch: msgs, sent: 0 };
    this.progress = progress;
    for (; progress.sent < msgs.length; progress.sent++) {
      try {
        this.socket ??= UnixDgramSocket.connect(this.path);
        await sendWhenRoom(this.socket, Buffer.from(msgs[progress.sent]!, 'utf8'), signal);
      } catch (err) {
        if (!queueFull(err)) {
          // The daemon went away or restarted (a new socket at the same path): connect again next
          // time, and send the whole batch again, as the old daemon may not have read it: at least once.
          this.socket?.close();
          this.socket = undefined;
          this.progress = undefined;
        }
        throw transient(err, `syslog ${this.path}`);
      }
    }
    this.progress = undefined;
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
  }
}

/** How long a message waits for room in the daemon's receive queue before the delivery counts as failed. */
const QUEUE_FULL_WAIT_MS = 2_000;

const queueFull = (err: unknown) => err instanceof UnixDgramError && (err.code === 'EAGAIN' || err.code === 'EWOULDBLOCK');

/**
 * The socket is non-blocking, so as not to stall the engine, and a daemon's queue is short
 * (net.unix.max_dgram_qlen, 10 by default): a burst of alerts fills it at once. Wait for the daemon
 * to read, as syslog(3) would block, polling, rather than fail the batch.
 */
async function sendWhenRoom(socket: UnixDgramSocket, buf: Buffer, signal: AbortSignal): Promise<void> {
  for (let waited = 0, pause = 1; ; waited += pause, pause = Math.min(pause * 2, 50)) {
    try {
      return socket.send(buf);
    } catch (err) {
      if (!queueFull(err) || waited >= QUEUE_FULL_WAIT_MS || signal.aborted) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

class UdpSyslogSink implements Sink {
  readonly name = 'syslog';
  readonly batch = 1;
  private socket: UdpSocket | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  deliver(msgs: readonly string[]): Promise<void> {
    const socket = (this.socket ??= createSocket(isIP(this.host) === 6 ? 'udp6' : 'udp4').on('error', () => {}));
    return new Promise((resolve, reject) =>
      socket.send(Buffer.from(msgs[0]!, 'utf8'), this.port, this.host, (err) => (err ? reject(transient(err, `syslog udp://${this.host}:${this.port}`)) : resolve())),
    );
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
  }
}

/** How long closing a TCP or TLS connection waits for what is still buffered to be written. */
const CLOSE_WAIT_MS = 1_000;

class StreamSyslogSink implements Sink {
  readonly name = 'syslog';
  readonly batch = 64;
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly where: string;

  constructor(
    private readonly transport: 'tcp' | 'tls',
    private readonly host: string,
    private readonly port: number,
    private readonly tls: SyslogTls,
  ) {
    this.where = `syslog ${transport}://${host}:${port}`;
  }

  async deliver(msgs: readonly string[], signal: AbortSignal): Promise<void> {
    const socket = await this.open(signal);
    const frames = Buffer.concat(msgs.map(octetCounted));
    await new Promise<void>((resolve, reject) => {
      // A collector that stops reading leaves the write pending for good (destroying the socket
      // does not call back a write already handed to the kernel): shutdown cuts it off.
      const onAbort = () => {
        this.drop(socket);
        reject(new DeliveryError(`${this.where}: shut down while writing`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.write(frames, (err) => {
        signal.removeEventListener('abort', onAbort);
        if (!err) return resolve();
        this.drop(socket);
        reject(transient(err, this.where));
      });
    });
  }

  private open(signal: AbortSignal): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const s =
        this.transport === 'tcp'
          ? netConnect({ host: this.host, port: this.port })
          : tlsConnect({
              host: this.host,
              port: this.port,
              servername: isIP(this.host) ? undefined : this.host,
              ca: this.tls.caCert ? readFileSync(this.tls.caCert) : undefined,
              cert: this.tls.clientCert ? readFileSync(this.tls.clientCert) : undefined,
              key: this.tls.clientKey ? readFileSync(this.tls.clientKey) : undefined,
              rejectUnauthorized: !this.tls.insecure,
            });
      const ready = this.transport === 'tcp' ? 'connect' : 'secureConnect';
      // A collector that accepts nothing (a full backlog, a black hole) must not hold up shutdown.
      const onAbort = () => s.destroy(new Error('shut down while connecting'));
      signal.addEventListener('abort', onAbort, { once: true });
      s.once(ready, () => {
        signal.removeEventListener('abort', onAbort);
        s.off('error', fail);
        s.on('error', () => this.drop(s));
        // The collector closing its end (a restart) is the only sign TCP gives: reconnect next time.
        s.on('close', () => this.drop(s));
        s.on('end', () => this.drop(s));
        s.on('data', () => {}); // collectors send nothing; read to notice the close
        this.socket = s;
        resolve(s);
      });
      const fail = (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        s.destroy();
        reject(transient(err, this.where));
      };
      s.once('error', fail);
    }).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private drop(s: Socket): void {
    if (this.socket === s) this.socket = undefined;
    s.destroy();
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (!s) return;
    // end() waits until what is buffered is written: not for ever, if the collector stopped reading.
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, CLOSE_WAIT_MS);
      s.end(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

