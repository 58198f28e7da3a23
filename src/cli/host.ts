// What the engine needs from the host it runs on: its name and its users and groups.

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

/** The host's users and groups. FALCONET_HOST_ROOT points at the host's / when running in a container. */
export function hostUsers(root = process.env.FALCONET_HOST_ROOT ?? ''): UserTable {
  return new UserTable(parsePasswd(readOr(`${root}/etc/passwd`)), parseGroup(readOr(`${root}/etc/group`)));
}

export function hostName(): string {
  return process.env.FALCONET_HOSTNAME ?? hostname();
}
