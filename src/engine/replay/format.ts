// The event file format read by `falconet replay` and written by `falconet capture`: JSON Lines, one
// object a line, each with a "kind". Integers that can pass 2^53 (timestamps, cgroup ids, capability
// sets) are written as decimal strings; readers also take plain numbers, so files can be written by hand.
//
//   {"kind":"header","version":1,"hostname":"h","users":[...],"groups":[...]}
//   {"kind":"proc", ...ProcSnapshot}         processes running when the capture began
//   {"kind":"container", ...ContainerInfo}   container metadata known to the capture
//   {"kind":"event", ...RawRecord}           one syscall record

import type { ArgValue, ContainerInfo, Fd, ProcSnapshot, RawRecord } from '../event.js';
import type { GroupEntry, UserEntry } from '../users.js';

export const FORMAT_VERSION = 1;

export interface Header {
  kind: 'header';
  version: number;
  hostname?: string;
  users?: UserEntry[];
  groups?: GroupEntry[];
}

export type Line =
  | Header
  | { kind: 'proc'; proc: ProcSnapshot }
  | { kind: 'container'; container: ContainerInfo }
  | { kind: 'event'; record: RawRecord };

export class FormatError extends Error {}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function big(o: Obj, key: string, dflt?: bigint): bigint {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new FormatError(`"${key}" must be an integer (a number or a string of digits)`);
}

function int(o: Obj, key: string, dflt?: number): number {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new FormatError(`"${key}" must be an integer`);
}

function text(o: Obj, key: string, dflt?: string): string {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'string') return v;
  throw new FormatError(`"${key}" must be a string`);
}

function strings(o: Obj, key: string): string[] {
  const v = o[key];
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new FormatError(`"${key}" must be a list of strings`);
}

function arg(name: string, v: unknown): ArgValue {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (isObj(v)) {
    if ((v.family === 'ipv4' || v.family === 'ipv6') && typeof v.ip === 'string' && typeof v.port === 'number') {
      return { family: v.family, ip: v.ip, port: v.port };
    }
    if (v.family === 'unix' && typeof v.path === 'string') return { family: 'unix', path: v.path };
  }
  throw new FormatError(`argument "${name}" must be a string, a number, a list of strings or an address {family, ip, port} / {family: "unix", path}`);
}

function record(o: Obj): RawRecord {
  const args: Record<string, ArgValue> = {};
  const rawArgs = o.args ?? {};
  if (!isObj(rawArgs)) throw new FormatError('"args" must be an object');
  for (const [k, v] of Object.entries(rawArgs)) args[k] = arg(k, v);
  const tid = int(o, 'tid');
  const rec: RawRecord = {
    ts: big(o, 'ts'),
    type: text(o, 'type'),
    tid,
    pid: int(o, 'pid', tid),
    ppid: int(o, 'ppid', 0),
    uid: int(o, 'uid', 0),
    gid: int(o, 'gid', 0),
    loginuid: int(o, 'loginuid', 4294967295),
    comm: text(o, 'comm', ''),
    cgroupId: big(o, 'cgroupId', 0n),
    res: int(o, 'res', 0),
    args,
  };
  if (o.cgroup !== undefined) rec.cgroup = text(o, 'cgroup');
  return rec;
}

function fd(v: unknown): Fd {
  if (!isObj(v)) throw new FormatError('each of "fds" must be an object');
  return { ...(v as unknown as Fd), num: int(v, 'num'), type: text(v, 'type', 'file') as Fd['type'], name: text(v, 'name', ''), openFlags: int(v, 'openFlags', 0) };
}

function proc(o: Obj): ProcSnapshot {
  const pid = int(o, 'pid');
  const argv = strings(o, 'args');
  const comm = text(o, 'comm');
  return {
    tid: int(o, 'tid', pid), pid, ppid: int(o, 'ppid', 0), comm, exe: text(o, 'exe', comm), exepath: text(o, 'exepath', ''),
    args: argv, cwd: text(o, 'cwd', '/'), uid: int(o, 'uid', 0), gid: int(o, 'gid', 0), euid: int(o, 'euid', int(o, 'uid', 0)),
    egid: int(o, 'egid', int(o, 'gid', 0)), loginuid: int(o, 'loginuid', 4294967295), tty: int(o, 'tty', 0), sid: int(o, 'sid', pid),
    pgid: int(o, 'pgid', pid), vpid: int(o, 'vpid', pid), vpgid: int(o, 'vpgid', int(o, 'pgid', pid)), cgroup: text(o, 'cgroup', '/'),
    startTs: big(o, 'startTs', 0n), env: strings(o, 'env'), capEffective: big(o, 'capEffective', 0n),
    capPermitted: big(o, 'capPermitted', 0n), capInheritable: big(o, 'capInheritable', 0n),
    fds: Array.isArray(o.fds) ? o.fds.map(fd) : [],
  };
}

function container(o: Obj): ContainerInfo {
  const image = text(o, 'image', '');
  const labels = isObj(o.labels) ? (o.labels as Record<string, string>) : {};
  const [repo = '', tag = ''] = image.split('@')[0]?.split(/:(?=[^/]*$)/) ?? [];
  const info: ContainerInfo = {
    id: text(o, 'id'), name: text(o, 'name', ''), image, imageRepository: text(o, 'imageRepository', repo),
    imageTag: text(o, 'imageTag', tag || (image ? 'latest' : '')), imageDigest: text(o, 'imageDigest', ''), imageId: text(o, 'imageId', ''),
    type: text(o, 'type', 'docker') as ContainerInfo['type'], privileged: o.privileged === true, labels,
    mounts: Array.isArray(o.mounts) ? (o.mounts as ContainerInfo['mounts']) : [], startTs: big(o, 'startTs', 0n),
  };
  if (isObj(o.k8s)) info.k8s = o.k8s as unknown as ContainerInfo['k8s'];
  return info;
}

/** Parses one line; throws FormatError with a message naming what is wrong. */
export function parseLine(line: string): Line {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new FormatError(`not JSON: ${(e as Error).message}`);
  }
  if (!isObj(v)) throw new FormatError('each line must be a JSON object');
  switch (v.kind) {
    case 'header':
      return { kind: 'header', version: int(v, 'version', FORMAT_VERSION), hostname: v.hostname as string | undefined, users: v.users as UserEntry[] | undefined, groups: v.groups as GroupEntry[] | undefined };
    case 'proc':
      return { kind: 'proc', proc: proc(v) };
    case 'container':
      return { kind: 'container', container: container(v) };
    case 'event':
    case undefined:
      return { kind: 'event', record: record(v) };
    default:
      throw new FormatError(`unknown "kind" ${JSON.stringify(v.kind)}: expected header, proc, container or event`);
  }
}

function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

export function encodeLine(line: Line): string {
  switch (line.kind) {
    case 'header':
      return JSON.stringify(line, replacer);
    case 'proc':
      return JSON.stringify({ kind: 'proc', ...line.proc }, replacer);
    case 'container':
      return JSON.stringify({ kind: 'container', ...line.container }, replacer);
    case 'event':
      return JSON.stringify({ kind: 'event', ...line.record }, replacer);
  }
}
