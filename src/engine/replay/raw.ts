// Raw probe batches in an event file: `falconet capture` writes each batch the addon delivered as is
// (cheap at high rates), with the record layout it was made with; `replay` decodes them later. A
// batch only decodes right under the layout that made it, so the header records that layout and a
// file made under another one is refused rather than decoded into garbage.

import type { RawRecord } from '../event.js';
import { decodeRecord, forEachRecord, LAYOUT } from '../probe/index.js';
import { EVENT_BY_NAME, EVENT_TYPES, type EventTypeSpec } from '../schema.js';

/** The header's "layout": events.h's offsets and bounds, and the wire event types in id order. */
export type WireLayout = { readonly [K in keyof typeof LAYOUT]: number } & { readonly eventTypes: readonly string[] };

/** `openat(fd:fd,dirfd:fd,...)`: a type's name and params, all a record of it needs to decode. */
function describe(spec: EventTypeSpec): string {
  return `${spec.name}(${spec.params.map((p) => `${p.name}:${p.type}`).join(',')})`;
}

/** True when `here` is `file` or `file` with params appended: `x(a:fd)` -> `x(a:fd,b:uint)`, `x()` -> `x(a:fd)`. */
function sameOrAppended(file: string, here: string): boolean {
  if (file === here) return true;
  if (!file.endsWith(')')) return false;
  const open = file.slice(0, -1);
  return here.startsWith(open.endsWith('(') ? open : `${open},`);
}

export const WIRE_LAYOUT: WireLayout = { ...LAYOUT, eventTypes: EVENT_TYPES.map(describe) };

const MAX_REPORTED = 5;

/**
 * How a file's layout differs from this build's, one phrase per difference (empty when it can be
 * decoded). Event types and their params are appended over time (schema.ts) and records carry their
 * param count, so a file whose types and params are a prefix of this build's still decodes.
 */
export function layoutDifferences(file: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [key, here] of Object.entries(LAYOUT)) {
    const there = file[key];
    if (there !== here) out.push(there === undefined ? `${key} is missing in the file (${here} in this build)` : `${key} is ${JSON.stringify(there)} in the file, ${here} in this build`);
  }
  for (const key of Object.keys(file)) if (!(key in WIRE_LAYOUT)) out.push(`the file has "${key}", unknown to this build`);
  const types = file.eventTypes;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
    out.push('"eventTypes" is missing in the file or not a list of strings');
  } else {
    const here = WIRE_LAYOUT.eventTypes;
    if (types.length > here.length) out.push(`the file knows ${types.length} event types, this build ${here.length}`);
    types.slice(0, here.length).forEach((t: string, id) => {
      if (!sameOrAppended(t, here[id]!)) out.push(`event type ${id} is ${t} in the file, ${here[id]} in this build`);
    });
  }
  if (out.length > MAX_REPORTED) return [...out.slice(0, MAX_REPORTED), `${out.length - MAX_REPORTED} more`];
  return out;
}

export type Decoded = { ok: true; record: RawRecord } | { ok: false; message: string };

/**
 * The records of one batch, each given the cgroup path the file recorded for its id (a cgroup line,
 * or the probe's own `cgroup` record earlier in the file, which this learns into `cgroups`). A record that
 * cannot be decoded costs that record; a corrupt length costs the rest of the batch. Either is an
 * error item in place, as the live session would count it.
 */
export function decodeBatchLine(buf: Buffer, bootToEpochNs: bigint, cgroups: Map<bigint, string>): Decoded[] {
  const out: Decoded[] = [];
  try {
    forEachRecord(buf, (off) => {
      try {
        const record = decodeRecord(buf, off, bootToEpochNs);
        if (record.type === 'cgroup' && typeof record.args.path === 'string') cgroups.set(record.cgroupId, record.args.path);
        const path = cgroups.get(record.cgroupId);
        if (path !== undefined) record.cgroup = path;
        out.push({ ok: true, record });
      } catch (err) {
        out.push({ ok: false, message: `the record at byte ${off} of the batch: ${(err as Error).message}` });
      }
    });
  } catch (err) {
    out.push({ ok: false, message: `${(err as Error).message}; the rest of the batch is skipped` });
  }
  return out;
}

/**
 * Calls fn with the pid and cgroup id of every record of a batch, read at the layout's offsets
 * without decoding the record; returns the number of records. Throws on a corrupt batch after the
 * records before the corruption.
 */
export function forEachCgroupId(buf: Buffer, fn: (pid: number, cgroupId: bigint, isCgroupRecord: boolean) => void): number {
  return forEachRecord(buf, (off) =>
    fn(buf.readUInt32LE(off + LAYOUT.offPid), buf.readBigUInt64LE(off + LAYOUT.offCgroupId), buf.readUInt16LE(off + LAYOUT.offType) === CGROUP_TYPE_ID),
  );
}

const CGROUP_TYPE_ID = EVENT_BY_NAME.get('cgroup')!.id;
