// Field class `fs.path`: one name for "the path this file syscall works on", whatever the syscall
// calls its parameter (openat's name, unlink's path, chmod's filename...), and the source and target
// of the two-path syscalls (rename, link, symlink). Resolved like evt.arg paths; *raw as passed.

import type { SyscallEvent } from '../event.js';
import { EVENT_BY_NAME } from '../schema.js';
import { pathRenderer } from './args.js';
import { plain, type Extractor, type FieldClass } from './types.js';

type Role = 'name' | 'source' | 'target';

/** Per event type and role: the parameter holding the path and the dirfd parameter it is relative to. */
const ROLES: Record<Role, Record<string, [param: string, dirfd?: string]>> = {
  name: {
    open: ['name'], openat: ['name', 'dirfd'], openat2: ['name', 'dirfd'], creat: ['name'],
    unlink: ['path'], unlinkat: ['name', 'dirfd'], mkdir: ['path'], mkdirat: ['path', 'dirfd'], rmdir: ['path'],
    chmod: ['filename'], fchmodat: ['filename', 'dirfd'], chown: ['path'], lchown: ['path'], fchownat: ['pathname', 'dirfd'],
    chdir: ['path'], chroot: ['path'], execve: ['filename'], execveat: ['name', 'dirfd'], umount2: ['name'], mount: ['dir'],
  },
  source: {
    rename: ['oldpath'], renameat: ['oldpath', 'olddirfd'], renameat2: ['oldpath', 'olddirfd'],
    link: ['oldpath'], linkat: ['oldpath', 'olddir'], symlink: ['target'], symlinkat: ['target'],
  },
  target: {
    rename: ['newpath'], renameat: ['newpath', 'newdirfd'], renameat2: ['newpath', 'newdirfd'],
    link: ['newpath'], linkat: ['newpath', 'newdir'], symlink: ['linkpath'], symlinkat: ['linkpath', 'linkdirfd'],
  },
};

// Every table entry must name a real parameter: a typo here would read <NA> forever.
for (const byType of Object.values(ROLES)) {
  for (const [type, names] of Object.entries(byType)) {
    const params = EVENT_BY_NAME.get(type)?.params.map((p) => p.name) ?? [];
    for (const n of names) if (n !== undefined && !params.includes(n)) throw new Error(`fs.path: ${type} has no parameter ${n}`);
  }
}

function bindRole(role: Role, raw: boolean): Extractor {
  const byType = new Map(
    Object.entries(ROLES[role]).map(([type, [param, dirfd]]) => [type, { param, render: pathRenderer(dirfd) }] as const),
  );
  return (evt: SyscallEvent, ctx) => {
    const p = byType.get(evt.type);
    if (!p) return undefined;
    const v = evt.args[p.param];
    if (typeof v !== 'string') return undefined;
    // A symlink's source is the link's content, never resolved: it is read relative to the link.
    return raw || (role === 'source' && evt.type.startsWith('symlink')) ? v : p.render(v, ctx, evt);
  };
}

export const fsFields: FieldClass = {
  name: 'fs.path',
  desc: 'Filesystem path fields: the path a file syscall works on, under one name for every syscall.',
  fields: [
    plain('fs.path.name', 'string', 'the path the syscall works on (open, unlink, mkdir, chmod...), absolute.', bindRole('name', false)),
    plain('fs.path.nameraw', 'string', 'the path the syscall works on, as the process passed it.', bindRole('name', true)),
    plain('fs.path.source', 'string', 'the source path of a rename, link or symlink, absolute (a symlink: its content).', bindRole('source', false)),
    plain('fs.path.sourceraw', 'string', 'the source path of a rename, link or symlink, as passed.', bindRole('source', true)),
    plain('fs.path.target', 'string', 'the target path of a rename, link or symlink, absolute.', bindRole('target', false)),
    plain('fs.path.targetraw', 'string', 'the target path of a rename, link or symlink, as passed.', bindRole('target', true)),
  ],
};
