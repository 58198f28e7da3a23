// The addresses of the names the rules ask about (names.ts), kept fresh off the event path. A
// refresh resolves every name concurrently with the system resolver and, once all answers are in,
// swaps in a new address -> names map: an event only ever reads a complete map, and never waits for
// a lookup. A name that does not resolve keeps its last good addresses, is warned about once, and is
// tried again at every refresh.

import { isIP } from 'node:net';

/** Resolves a name to its addresses (both families); rejects when it cannot. */
export type Resolve = (name: string) => Promise<string[]>;

export interface DnsLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface DnsNameCacheOptions {
  resolve: Resolve;
  log: DnsLog;
  /** Between two refreshes. */
  refreshMs: number;
  /** Names this cache may look up (an offline mode); others are warned about once and never asked. */
  allow?: (name: string) => boolean;
}

const NONE: readonly string[] = [];

export class DnsNameCache {
  private names: readonly string[] = [];
  /** Last good addresses per name. */
  private readonly addrs = new Map<string, readonly string[]>();
  /** address -> names holding it, in the order the rules named them. Replaced whole, never edited. */
  private byIp: ReadonlyMap<string, readonly string[]> = new Map();
  private readonly warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Refreshes finished, for tests and stats. */
  refreshes = 0;

  constructor(private readonly opts: DnsNameCacheOptions) {}

  /** The names the rules compare with (a reload replaces them); resolves the new ones at once. */
  setNames(names: readonly string[]): void {
    this.names = [...names];
    for (const n of [...this.addrs.keys()]) if (!this.names.includes(n)) this.addrs.delete(n);
    void this.refresh();
  }

  /**
   * The names whose addresses include `ip`: read per event, so a map lookup and nothing more. An
   * IPv4 peer of an IPv6 socket (::ffff:a.b.c.d, as the decoder writes it) is its IPv4 address.
   */
  namesOf(ip: string): readonly string[] | undefined {
    const names = this.byIp.get(ip);
    if (names !== undefined || !ip.startsWith('::ffff:')) return names;
    return this.byIp.get(ip.slice(7));
  }

  /** Refreshes every refreshMs from now on (setNames resolves the first round). */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every name; a round asked for while one runs follows it (never two at once). */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const names = this.names;
    await Promise.all(names.map((n) => this.resolveOne(n)));
    const byIp = new Map<string, string[]>();
    for (const n of names) {
      for (const a of this.addrs.get(n) ?? NONE) {
        const held = byIp.get(a);
        if (held === undefined) byIp.set(a, [n]);
        else if (!held.includes(n)) held.push(n);
      }
    }
    this.byIp = byIp;
    this.refreshes++;
  }

  private async resolveOne(name: string): Promise<void> {
    if (isIP(name) !== 0) {
      this.addrs.set(name, [name]);
      return;
    }
    if (this.opts.allow && !this.opts.allow(name)) {
      this.warnOnce(name, { name }, 'a rule compares a DNS name field with a name falconet may not look up here (offline: only /etc/hosts names); it never matches');
      return;
    }
    try {
      const found = await this.opts.resolve(name);
      if (found.length === 0) throw new Error('no addresses');
      this.addrs.set(name, found);
      if (this.warned.delete(name)) this.opts.log.info({ name, addresses: found }, 'a DNS name the rules use resolves now');
    } catch (err) {
      this.warnOnce(name, { name, err: String(err), retryMs: this.opts.refreshMs }, 'a DNS name the rules use does not resolve; retrying at every refresh');
    }
  }

  private warnOnce(name: string, obj: object, msg: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.opts.log.warn(obj, msg);
  }
}
