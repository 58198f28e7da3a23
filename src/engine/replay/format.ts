// The event file format read by `falconet replay` and written by `falconet capture`: JSON Lines, one
// object a line, each with a "kind". Integers that can pass 2^53 (timestamps, cgroup ids, capability
// sets) are written as decimal strings; readers also take plain numbers, so files can be written by hand.
//
//   {"kind":"header","version":1,"hostname":"h","users":[...],"groups":[...]}
//   {"kind":"proc", ...ProcSnapshot}         processes running when the capture began
//   {"kind":"container", ...ContainerInfo}   container metadata known to the capture
//   {"kind":"event", ...RawRecord}           one syscall record
//
// `falconet capture` writes raw files by default (`--format json` writes event lines): the probe's
// batches as the addon delivered them, decoded only when replayed (raw.ts):
//   {"kind":"header", ..., "bootToEpochNs":"1700000000000000000","layout":{...LAYOUT,"eventTypes":[...]}}
//   {"kind":"cgroup","id":"4242","path":"/system.slice/x.service"}   before the first batch with that id
//   {"kind":"batch","data":"<base64>"}       many records, back to back, in events.h's layout
//   {"kind":"batch","bootToEpochNs":"...","data":"<base64>"}   the same, after the clock was stepped:
//                                            this offset holds from this batch on

import type { ArgValue, ContainerInfo, Fd, ProcSnapshot, RawRecord } from '../event.js';
import type { GroupEntry, UserEntry } from '../users.js';

export const FORMAT_VERSION = 1;

export interface Header {
  kind: 'header';
  version: number;
  hostname?: string;
  users?: UserEntry[];
  groups?: GroupEntry[];
  /** Raw files: added to a batch record's boot-time ts to get ns since the epoch. */
  bootToEpochNs?: bigint;
  /** Raw files: the layout the batches were recorded with (raw.ts WIRE_LAYOUT), as read. */
  layout?: Readonly<Record<string, unknown>>;
}

export type Line =
  | Header
  | { kind: 'proc'; proc: ProcSnapshot }
  | { kind: 'container'; container: ContainerInfo }
  | { kind: 'event'; record: RawRecord }
  | { kind: 'cgroup'; id: bigint; path: string }
  | { kind: 'batch'; data: Buffer; bootToEpochNs?: bigint };

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
    // A family the decoder does not name (netlink, packet...), as `capture --format json` writes it.
    if (v.family === 'unknown' && typeof v.raw === 'number' && Number.isInteger(v.raw)) return { family: 'unknown', raw: v.raw };
  }
  throw new FormatError(
    `argument "${name}" must be a string, a number, a list of strings or an address {family, ip, port} / {family: "unix", path} / {family: "unknown", raw}`,
  );
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
    ...(o.exeIno !== undefined ? { exeIno: int(o, 'exeIno'), exeInoCtime: big(o, 'exeInoCtime', 0n), exeInoMtime: big(o, 'exeInoMtime', 0n) } : {}),
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

function header(o: Obj): Header {
  const h: Header = { kind: 'header', version: int(o, 'version', FORMAT_VERSION), hostname: o.hostname as string | undefined, users: o.users as UserEntry[] | undefined, groups: o.groups as GroupEntry[] | undefined };
  if (o.bootToEpochNs !== undefined) h.bootToEpochNs = big(o, 'bootToEpochNs');
  if (o.layout !== undefined) {
    if (!isObj(o.layout)) throw new FormatError('"layout" must be an object');
    h.layout = o.layout;
  }
  return h;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Buffer.from skips characters that are not base64; a damaged line must be an error instead. */
function base64(o: Obj, key: string): Buffer {
  const v = text(o, key);
  if (v.length % 4 !== 0 || !BASE64.test(v)) throw new FormatError(`"${key}" must be base64`);
  return Buffer.from(v, 'base64');
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
      return header(v);
    case 'proc':
      return { kind: 'proc', proc: proc(v) };
    case 'container':
      return { kind: 'container', container: container(v) };
    case 'event':
    case undefined:
      return { kind: 'event', record: record(v) };
    case 'cgroup':
      return { kind: 'cgroup', id: big(v, 'id'), path: text(v, 'path') };
    case 'batch':
      return v.bootToEpochNs === undefined
        ? { kind: 'batch', data: base64(v, 'data') }
        : { kind: 'batch', data: base64(v, 'data'), bootToEpochNs: big(v, 'bootToEpochNs') };
    default:
      throw new FormatError(`unknown "kind" ${JSON.stringify(v.kind)}: expected header, proc, container, event, cgroup or batch`);
  }
}

function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Field by field, not a spread: a record may be a class instance whose fields are getters. */
function eventFields(r: RawRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {
    kind: 'event', ts: r.ts, type: r.type, tid: r.tid, pid: r.pid, ppid: r.ppid, uid: r.uid, gid: r.gid,
    loginuid: r.loginuid, comm: r.comm, cgroupId: r.cgroupId, res: r.res, args: r.args,
  };
  if (r.cgroup !== undefined) o.cgroup = r.cgroup;
  return o;
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
      return JSON.stringify(eventFields(line.record), replacer);
    case 'cgroup':
      return JSON.stringify({ kind: 'cgroup', id: line.id, path: line.path }, replacer);
    case 'batch':
      // Base64 needs no escaping: concatenation spares JSON.stringify a scan of a megabyte string.
      return line.bootToEpochNs === undefined
        ? `{"kind":"batch","data":"${line.data.toString('base64')}"}`
        : `{"kind":"batch","bootToEpochNs":"${line.bootToEpochNs}","data":"${line.data.toString('base64')}"}`;
  }
}
