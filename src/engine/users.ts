// User and group names, from passwd/group files (the host's, or those a capture recorded).

export interface UserEntry {
  uid: number;
  name: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  gid: number;
  name: string;
}

export function parsePasswd(text: string): UserEntry[] {
  const out: UserEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = Number(f[2]);
    if (f.length < 7 || !Number.isInteger(uid)) continue;
    out.push({ uid, name: f[0] ?? '', home: f[5] ?? '', shell: f[6] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const gid = Number(f[2]);
    if (f.length < 3 || !Number.isInteger(gid)) continue;
    out.push({ gid, name: f[0] ?? '' });
  }
  return out;
}

export class UserTable {
  private readonly users = new Map<number, UserEntry>();
  private readonly groups = new Map<number, GroupEntry>();

  constructor(users: readonly UserEntry[] = [], groups: readonly GroupEntry[] = []) {
    this.add(users, groups);
  }

  add(users: readonly UserEntry[], groups: readonly GroupEntry[]): void {
    for (const u of users) if (!this.users.has(u.uid)) this.users.set(u.uid, u);
    for (const g of groups) if (!this.groups.has(g.gid)) this.groups.set(g.gid, g);
  }

  user(uid: number): UserEntry | undefined {
    return this.users.get(uid);
  }

  group(gid: number): GroupEntry | undefined {
    return this.groups.get(gid);
  }

  allUsers(): UserEntry[] {
    return [...this.users.values()];
  }

  allGroups(): GroupEntry[] {
    return [...this.groups.values()];
  }
}
