// DNS names for fd.sip.name and friends, on a live host: the names the rules use (names.ts), kept
// resolved by a cache (cache.ts) through the system resolver. This file is the I/O edge: node:dns,
// /etc/hosts and the environment are read here only.

import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { DnsNameCache, type DnsLog } from './cache.js';

export { DnsNameCache, type DnsLog, type Resolve } from './cache.js';
export { DNS_NAME_FIELDS, dnsNamesOf } from './names.js';

/**
 * libsinsp refreshes the names its rules use every 10 s; Falco exposes no setting for it, so neither
 * does falconet.
 */
export const DNS_REFRESH_MS = 10_000;

/**
 * FALCONET_DNS_HOSTS_ONLY=1: resolve only names /etc/hosts lists (and IP literals). For test
 * machines whose rules (Falco's own name kubernetes.default.svc.cluster.local) must not send DNS
 * queries off the host.
 */
const HOSTS_ONLY_ENV = 'FALCONET_DNS_HOSTS_ONLY';

/** The names /etc/hosts lists (every word after the address of a line), lower-cased. */
export function hostsFileNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    for (const w of words.slice(1)) if (w) out.add(w.toLowerCase());
  }
  return out;
}

/** The system resolver (getaddrinfo: /etc/hosts, then DNS, as nsswitch says), both families. */
async function systemResolve(name: string): Promise<string[]> {
  const found = await lookup(name, { all: true, family: 0 });
  return [...new Set(found.map((a) => a.address))];
}

/** Starts keeping `names` resolved; the caller stops it. */
export function startDnsNames(names: readonly string[], log: DnsLog, env: NodeJS.ProcessEnv = process.env): DnsNameCache {
  let allow: ((name: string) => boolean) | undefined;
  if (env[HOSTS_ONLY_ENV] === '1') {
    let hosts = new Set<string>();
    try {
      hosts = hostsFileNames(readFileSync('/etc/hosts', 'utf8'));
    } catch {
      // No /etc/hosts: nothing may be looked up.
    }
    allow = (n) => hosts.has(n.toLowerCase());
  }
  const cache = new DnsNameCache({ resolve: systemResolve, log, refreshMs: DNS_REFRESH_MS, allow });
  cache.setNames(names);
  cache.start();
  if (names.length > 0) log.info({ names: names.length, refreshMs: DNS_REFRESH_MS }, 'resolving the DNS names the rules use');
  return cache;
}
