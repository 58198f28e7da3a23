// The native datagram socket for local syslog (native/unixdgram): Node's dgram module speaks UDP
// only, and /dev/log is a unix datagram socket. Errors come back as errno names.

import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface UnixDgramAddon {
  connect(path: string): number;
  send(fd: number, buf: Buffer): number;
  close(fd: number): void;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADDON_PATH = path.join(ROOT, 'build', 'Release', 'falconet_unix_dgram.node');

let addon: UnixDgramAddon | undefined;

function load(): UnixDgramAddon {
  if (!addon) {
    try {
      addon = createRequire(import.meta.url)(ADDON_PATH) as UnixDgramAddon;
    } catch (err) {
      throw new Error(`the unix socket addon is not built (${ADDON_PATH}): run \`npm run build:native\`: ${(err as Error).message}`);
    }
  }
  return addon;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

export class UnixDgramError extends Error {
  constructor(
    readonly code: string,
    what: string,
  ) {
    super(`${code}: ${what}`);
  }
}

function check(rc: number, what: string): number {
  if (rc < 0) throw new UnixDgramError(ERRNO_NAMES.get(-rc) ?? `errno ${-rc}`, what);
  return rc;
}

/** A connected datagram socket to a local path. */
export class UnixDgramSocket {
  private constructor(private fd: number) {}

  static connect(socketPath: string): UnixDgramSocket {
    return new UnixDgramSocket(check(load().connect(socketPath), `connect ${socketPath}`));
  }

  send(buf: Buffer): void {
    check(load().send(this.fd, buf), 'send');
  }

  close(): void {
    if (this.fd >= 0) load().close(this.fd);
    this.fd = -1;
  }
}
