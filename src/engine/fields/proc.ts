// Field classes `proc` and `thread`: the process that made the event, its ancestors (walked through
// ctx.thread(ppid)), its session and process group, and its capabilities.

import type { EngineContext, SyscallEvent, Thread } from '../event.js';
import { renderCaps } from './render.js';
import { indexed, keyed, plain, type Extractor, type FieldClass, type FieldDescriptor, type SomeTester } from './types.js';

/** Ancestor chains longer than this are treated as cycles in a stale process table. */
const MAX_DEPTH = 64;

/** The n-th ancestor: 0 is the thread itself, 1 its parent. */
function ancestor(t: Thread, n: number, ctx: EngineContext): Thread | undefined {
  let cur: Thread | undefined = t;
  for (let i = 0; i < n && cur; i++) {
    if (cur.ppid <= 0 || cur.ppid === cur.pid) return undefined;
    cur = ctx.thread(cur.ppid);
  }
  return cur;
}

/** One value of every ancestor from the parent up (for output: proc.aname without index). */
function allAncestors(get: (t: Thread) => string | undefined): Extractor {
  return (evt, ctx) => {
    const out: string[] = [];
    let cur = ancestor(evt.thread, 1, ctx);
    for (let i = 0; cur && i < MAX_DEPTH; i++) {
      const v = get(cur);
      if (v !== undefined) out.push(v);
      cur = ancestor(cur, 1, ctx);
    }
    return out.length ? out : undefined;
  };
}

/** The same walk for conditions: stops at the first ancestor that passes, allocates nothing. */
function someAncestor(get: (t: Thread) => string | number | undefined): SomeTester {
  return (evt, ctx, test) => {
    let cur = ancestor(evt.thread, 1, ctx);
    for (let i = 0; cur && i < MAX_DEPTH; i++) {
      const v = get(cur);
      if (v !== undefined && test(v)) return true;
      cur = ancestor(cur, 1, ctx);
    }
    return false;
  };
}

/** proc.aname-style fields: an index gives one ancestor, no index means any of them. */
function anyAncestor(get: (t: Thread) => string | number | undefined): Pick<FieldDescriptor, 'multi' | 'some'> {
  const some = someAncestor(get);
  return { multi: (a) => (a === undefined ? 'any' : undefined), some: (a) => (a === undefined ? some : undefined) };
}

// proc.aname is by far the most used of these; its walk gets its own function so its accessor
// call stays monomorphic.
const someAncestorName: SomeTester = (evt, ctx, test) => {
  let cur = ancestor(evt.thread, 1, ctx);
  for (let i = 0; cur && i < MAX_DEPTH; i++) {
    if (test(cur.comm)) return true;
    cur = ancestor(cur, 1, ctx);
  }
  return false;
};

// Joined argv changes only on exec (which replaces the args array) or a comm change, so the joined
// text is remembered per thread and rules reading proc.cmdline on every event do not rebuild it.
const joined = new WeakMap<Thread, { comm: string; args: string[]; args1: string; cmdline: string }>();
function texts(t: Thread): { args1: string; cmdline: string } {
  let e = joined.get(t);
  if (!e || e.args !== t.args || e.comm !== t.comm) {
    const args1 = t.args.join(' ');
    e = { comm: t.comm, args: t.args, args1, cmdline: args1 ? `${t.comm} ${args1}` : t.comm };
    joined.set(t, e);
  }
  return e;
}
const cmdline = (t: Thread): string => texts(t).cmdline;

// The environment changes only on exec (a new array), so its joined text is remembered the same way.
const envJoined = new WeakMap<string[], string>();
const envText = (t: Thread): string => {
  let text = envJoined.get(t.env);
  if (text === undefined) envJoined.set(t.env, (text = t.env.join(' ')));
  return text;
};

/** libsinsp prints the working directory with a trailing slash; the slashed text is remembered. */
const slashed = new WeakMap<Thread, { raw: string; text: string }>();
const cwd = (t: Thread): string | undefined => {
  const raw = t.cwd;
  if (raw === '' || raw.endsWith('/')) return raw || undefined;
  let e = slashed.get(t);
  if (!e || e.raw !== raw) slashed.set(t, (e = { raw, text: `${raw}/` }));
  return e.text;
};

/** ns since a start time, or <NA> when the start is unknown (0). */
const since = (now: bigint, start: bigint): bigint | undefined => (start > 0n ? now - start : undefined);

const NAME = (t: Thread): string => t.comm;
const EXE = (t: Thread): string => t.exe;
const EXEPATH = (t: Thread): string => t.exepath;

// Per-field arrow functions instead of one shared factory: closures from one factory share V8's
// call feedback, which would make the inner accessor call megamorphic on the hot path.
const parent = (e: SyscallEvent, ctx: EngineContext): Thread | undefined => ancestor(e.thread, 1, ctx);

/** The process leading the thread's session or group; the thread itself when it is the leader. */
const leader = (t: Thread, pid: number, ctx: EngineContext): Thread | undefined =>
  pid === t.pid ? t : pid > 0 ? ctx.thread(pid) : undefined;

export const procFields: FieldClass = {
  name: 'proc',
  desc: 'Process fields: the process that made the event and its ancestors.',
  fields: [
    plain('proc.pid', 'number', 'the id of the process generating the event.', (e) => e.thread.pid),
    plain('proc.ppid', 'number', 'the pid of the parent of the process generating the event.', (e) => e.thread.ppid),
    plain('proc.vpid', 'number', 'the pid of the process as seen from its own pid namespace.', (e) => e.thread.vpid),
    plain('proc.pgid', 'number', 'the process group id of the process.', (e) => e.thread.pgid),
    plain('proc.vpgid', 'number', 'the process group id as seen from its own pid namespace.', (e) => e.thread.vpgid),
    plain('proc.sid', 'number', 'the session id of the process.', (e) => e.thread.sid),
    plain('proc.name', 'string', 'the name (comm, at most 15 chars) of the process generating the event.', (e) => e.thread.comm),
    plain('proc.exe', 'string', 'the first command-line argument (argv[0]) of the process.', (e) => e.thread.exe),
    plain('proc.exepath', 'string', 'the full executable path of the process.', (e) => e.thread.exepath || undefined),
    plain('proc.args', 'string', 'the arguments (argv[1..]) of the process, space separated.', (e) => texts(e.thread).args1),
    plain('proc.cmdline', 'string', 'full process command line: proc.name + proc.args.', (e) => cmdline(e.thread)),
    plain('proc.exeline', 'string', 'full process command line with exe: proc.exe + proc.args.', (e) => {
      const a = texts(e.thread).args1;
      return a ? `${e.thread.exe} ${a}` : e.thread.exe;
    }),
    plain('proc.cmdnargs', 'number', 'the number of command-line arguments.', (e) => e.thread.args.length),
    plain('proc.cmdlenargs', 'number', 'the total length of the command-line arguments, without spaces.', (e) =>
      e.thread.args.reduce((n, a) => n + a.length, 0),
    ),
    plain('proc.cwd', 'string', 'the current working directory of the process, with a trailing slash.', (e) => cwd(e.thread)),
    keyed('proc.env', 'string', 'the environment of the process, space separated; proc.env[NAME] for one variable.', (key) => {
      const prefix = `${key}=`;
      return (e) => e.thread.env.find((v) => v.startsWith(prefix))?.slice(prefix.length);
    }, (e) => envText(e.thread)),
    plain('proc.tty', 'number', "the controlling terminal's device number, 0 for none.", (e) => e.thread.tty),
    plain('proc.pname', 'string', 'the name of the parent process.', (e, ctx) => parent(e, ctx)?.comm),
    plain('proc.pexe', 'string', 'argv[0] of the parent process.', (e, ctx) => parent(e, ctx)?.exe),
    plain('proc.pexepath', 'string', 'the full executable path of the parent process.', (e, ctx) => parent(e, ctx)?.exepath),
    plain('proc.pcmdline', 'string', 'the full command line of the parent process.', (e, ctx) => {
      const p = parent(e, ctx);
      return p && cmdline(p);
    }),
    // Without index, as in libsinsp: any ancestor's pid (conditions); the pids from the parent up (outputs).
    indexed('proc.apid', 'number', 'the pid of an ancestor: proc.apid[1] is the parent; without index, any ancestor.',
      (n) => (e, ctx) => ancestor(e.thread, n, ctx)?.pid, allAncestors((t) => String(t.pid)), anyAncestor((t) => t.pid)),
    indexed('proc.aname', 'string', 'the name of an ancestor: proc.aname[1] is the parent; without index, any ancestor.',
      (n) => (e, ctx) => ancestor(e.thread, n, ctx)?.comm, allAncestors(NAME), { ...anyAncestor(NAME), some: (a) => (a === undefined ? someAncestorName : undefined) }),
    indexed('proc.aexe', 'string', 'argv[0] of an ancestor: proc.aexe[1] is the parent; without index, any ancestor.',
      (n) => (e, ctx) => ancestor(e.thread, n, ctx)?.exe, allAncestors(EXE), anyAncestor(EXE)),
    indexed('proc.aexepath', 'string', 'exe path of an ancestor: proc.aexepath[1] is the parent; without index, any ancestor.',
      (n) => (e, ctx) => ancestor(e.thread, n, ctx)?.exepath, allAncestors(EXEPATH), anyAncestor(EXEPATH)),
    indexed('proc.acmdline', 'string', 'command line of an ancestor: proc.acmdline[1] is the parent; without index, any.',
      (n) => (e, ctx) => {
        const a = ancestor(e.thread, n, ctx);
        return a && cmdline(a);
      }, allAncestors(cmdline), anyAncestor(cmdline)),
    plain('proc.sname', 'string', 'the name of the session leader of the process.', (e, ctx) => leader(e.thread, e.thread.sid, ctx)?.comm),
    plain('proc.sid.exe', 'string', 'argv[0] of the session leader.', (e, ctx) => leader(e.thread, e.thread.sid, ctx)?.exe),
    plain('proc.sid.exepath', 'string', 'the exe path of the session leader.', (e, ctx) => leader(e.thread, e.thread.sid, ctx)?.exepath),
    plain('proc.is_sid_leader', 'bool', 'true if the process is the leader of its session.', (e) => e.thread.pid === e.thread.sid),
    plain('proc.vpgid.name', 'string', 'the name of the process group leader.', (e, ctx) => leader(e.thread, e.thread.pgid, ctx)?.comm),
    plain('proc.vpgid.exe', 'string', 'argv[0] of the process group leader.', (e, ctx) => leader(e.thread, e.thread.pgid, ctx)?.exe),
    plain('proc.vpgid.exepath', 'string', 'the exe path of the process group leader.', (e, ctx) => leader(e.thread, e.thread.pgid, ctx)?.exepath),
    plain('proc.is_vpgid_leader', 'bool', 'true if the process leads its process group (vpid = vpgid).', (e) =>
      e.thread.vpgid > 0 ? e.thread.vpid === e.thread.vpgid : undefined,
    ),
    plain('proc.duration', 'reltime', 'ns since the process started.', (e) => since(e.ts, e.thread.startTs)),
    plain('proc.ppid.duration', 'reltime', 'ns since the parent process started.', (e, ctx) => {
      const p = ancestor(e.thread, 1, ctx);
      return p ? since(e.ts, p.startTs) : undefined;
    }),
    plain('proc.pid.ts', 'abstime', 'when the process started, ns since the epoch.', (e) => (e.thread.startTs > 0n ? e.thread.startTs : undefined)),
    plain('proc.ppid.ts', 'abstime', 'when the parent process started, ns since the epoch.', (e, ctx) => {
      const p = ancestor(e.thread, 1, ctx);
      return p && p.startTs > 0n ? p.startTs : undefined;
    }),
    plain('proc.is_exe_upper_layer', 'bool', 'true if the executable lives on the upper (writable) layer of an overlayfs.', (e) => e.thread.exeUpperLayer),
    plain('proc.is_exe_from_memfd', 'bool', 'true if the executable was loaded from a memfd.', (e) => e.thread.exeFromMemfd),
    plain('proc.exe_ino', 'number', 'the inode number of the executable.', (e) => e.thread.exeIno),
    plain('proc.exe_ino.ctime', 'abstime', 'last status change time of the executable, ns since the epoch.', (e) => e.thread.exeInoCtime),
    plain('proc.exe_ino.mtime', 'abstime', 'last modification time of the executable, ns since the epoch.', (e) => e.thread.exeInoMtime),
    plain('proc.exe_ino.ctime_duration_proc_start', 'reltime',
      'ns between the last status change of the executable and the start of the process.', (e) => {
        const c = e.thread.exeInoCtime;
        return c === undefined || e.thread.startTs <= 0n ? undefined : e.thread.startTs - c;
      }),
  ],
};

export const threadFields: FieldClass = {
  name: 'thread',
  desc: 'Thread fields: the task that made the event.',
  fields: [
    plain('thread.tid', 'number', 'the id of the thread generating the event.', (e) => e.thread.tid),
    plain('thread.ismain', 'bool', 'true if the thread is the main one of its process.', (e) => e.thread.tid === e.thread.pid),
    plain('thread.cap_effective', 'string', 'the effective capabilities, as space-separated CAP_ names.', (e) => renderCaps(e.thread.capEffective)),
    plain('thread.cap_permitted', 'string', 'the permitted capabilities, as space-separated CAP_ names.', (e) => renderCaps(e.thread.capPermitted)),
    plain('thread.cap_inheritable', 'string', 'the inheritable capabilities, as space-separated CAP_ names.', (e) => renderCaps(e.thread.capInheritable)),
    plain('thread.cgroups', 'string', 'the cgroup path of the thread.', (e) => e.thread.cgroup || undefined),
  ],
};
