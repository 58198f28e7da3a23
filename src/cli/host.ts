// What the engine needs from the host it runs on: its name, its users and groups, and its /proc.
// FALCONET_HOST_ROOT is where the host's / is mounted when falconet runs in a container (the image
// sets /host); unset, it is this machine's own /.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseGroup, parsePasswd, UserTable } from '../engine/users.js';

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function hostRoot(): string {
  return process.env.FALCONET_HOST_ROOT ?? '';
}

/**
 * The host's /proc, for every read of host processes: the snapshot, cgroup and pid lookups, the
 * purge of dead threads. The monitor's own process stays /proc/self (its pid namespace, its fds).
 */
export function hostProc(): string {
  return `${hostRoot()}/proc`;
}

/** The host's users and groups, from its /etc/passwd and /etc/group. */
export function hostUsers(root = hostRoot()): UserTable {
  return new UserTable(parsePasswd(readOr(`${root}/etc/passwd`)), parseGroup(readOr(`${root}/etc/group`)));
}

export function hostName(): string {
  return process.env.FALCONET_HOSTNAME ?? hostname();
}
