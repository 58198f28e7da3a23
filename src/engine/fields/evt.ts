// Field class `evt`: the event itself — type, direction, time, return value, parameters.

import type { SyscallEvent } from '../event.js';
import { EVENT_BY_NAME } from '../schema.js';
import { bindArgByIndex, bindArgByName, bindRawArg, extractArgs } from './args.js';
import { renderRes } from './render.js';
import { formatDateTime, formatIso8601, formatTime, formatTimeS } from './time.js';
import { notAvailable, parseIndex, plain, type FieldClass, type FieldDescriptor } from './types.js';

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_TMPFILE = 0o20000000;
const EXEC_BITS = 0o111;
const OPEN_EVENTS = new Set(['open', 'openat', 'openat2', 'creat']);

/** Open flags of an open-family event; creat() is open(O_CREAT|O_WRONLY|O_TRUNC). Undefined otherwise. */
function openFlags(evt: SyscallEvent): number | undefined {
  if (!OPEN_EVENTS.has(evt.type)) return undefined;
  if (evt.type === 'creat') return O_CREAT | O_WRONLY | 0o1000;
  const f = evt.args.flags;
  return typeof f === 'number' ? f : typeof f === 'bigint' ? Number(f) : undefined;
}

const isOpenRead = (evt: SyscallEvent): boolean | undefined => {
  const f = openFlags(evt);
  return f === undefined ? undefined : (f & O_ACCMODE) !== O_WRONLY;
};
const isOpenWrite = (evt: SyscallEvent): boolean | undefined => {
  const f = openFlags(evt);
  return f === undefined ? undefined : (f & O_ACCMODE) === O_WRONLY || (f & O_ACCMODE) === O_RDWR;
};
/** Created with an executable mode (libsinsp: O_CREAT or O_TMPFILE with any x bit in `mode`). */
const isOpenExec = (evt: SyscallEvent): boolean | undefined => {
  const f = openFlags(evt);
  if (f === undefined) return undefined;
  const mode = evt.args.mode;
  const m = typeof mode === 'number' ? mode : 0;
  return (f & (O_CREAT | O_TMPFILE)) !== 0 && (m & EXEC_BITS) !== 0;
};

const argField: FieldDescriptor = {
  name: 'evt.arg',
  type: 'string',
  desc: "one of the event's parameters, by name (evt.arg.fd, evt.arg[fd]) or index (evt.arg[0]), rendered as text.",
  arg: 'required-key',
  dottedArg: true,
  bind(arg) {
    if (arg === undefined || arg === '') return 'evt.arg needs a parameter name or index, like evt.arg.flags or evt.arg[0]';
    const i = parseIndex(arg);
    return i === undefined ? bindArgByName(arg) : bindArgByIndex(i);
  },
};

const rawArgField: FieldDescriptor = {
  name: 'evt.rawarg',
  type: 'number',
  desc: "one of the event's parameters by name, as its raw value (numbers stay numbers), e.g. evt.rawarg.uid.",
  arg: 'required-key',
  dottedArg: true,
  bind: (arg) => (arg === undefined || arg === '' ? 'evt.rawarg needs a parameter name, like evt.rawarg.flags' : bindRawArg(arg)),
};

export const evtFields: FieldClass = {
  name: 'evt',
  desc: 'Event fields: every event has them.',
  fields: [
    plain('evt.num', 'number', 'event number.', (e) => e.num),
    plain('evt.time', 'string', 'event timestamp as HH:MM:SS.nnnnnnnnn (UTC).', (e) => formatTime(e.ts), {
      bindJson: (arg) => (arg === undefined ? (e) => e.ts : 'evt.time takes no argument'),
    }),
    plain('evt.time.s', 'string', 'event timestamp as HH:MM:SS (UTC).', (e) => formatTimeS(e.ts)),
    plain('evt.time.iso8601', 'string', 'event timestamp in ISO 8601 with nanoseconds, UTC.', (e) => formatIso8601(e.ts)),
    plain('evt.datetime', 'string', 'event timestamp as YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC).', (e) => formatDateTime(e.ts)),
    plain('evt.datetime.s', 'string', 'event timestamp as YYYY-MM-DD HH:MM:SS (UTC).', (e) => formatDateTime(e.ts).slice(0, 19)),
    plain('evt.rawtime', 'abstime', 'absolute event timestamp, ns since the epoch.', (e) => e.ts),
    plain('evt.rawtime.s', 'abstime', 'integer part of the event timestamp (seconds since the epoch).', (e) => e.ts / 1_000_000_000n),
    plain('evt.rawtime.ns', 'abstime', 'fractional part of the event timestamp, in ns.', (e) => e.ts % 1_000_000_000n),
    plain('evt.type', 'string', "the event's name: open, execve, connect, procexit...", (e) => e.type),
    plain('syscall.type', 'string', 'for system call events, the name of the system call.', (e) =>
      EVENT_BY_NAME.get(e.type)?.category === 'meta' || e.type === 'procexit' ? undefined : e.type,
    ),
    plain('evt.dir', 'string', "event direction: '>' for enter, '<' for exit (falconet only emits exits).", (e) => e.dir),
    plain('evt.category', 'string', 'the event category: process, file, net, ids, system, scheduler, meta.', (e) =>
      EVENT_BY_NAME.get(e.type)?.category,
    ),
    plain('evt.source', 'string', 'the event source: syscall.', () => 'syscall'),
    plain('evt.hostname', 'string', 'the hostname of the machine that produced the event.', (_e, ctx) => ctx.hostname),
    plain('evt.res', 'string', "return value as text: SUCCESS, or the errno name (ENOENT) on failure.", (e) => renderRes(e.res)),
    plain('evt.rawres', 'number', 'return value as a number (a negative errno on failure).', (e) => e.res),
    plain('evt.failed', 'bool', "true for events that returned an error.", (e) => e.res < 0),
    plain('evt.count', 'number', 'always 1: counts events in aggregations.', () => 1),
    plain('evt.args', 'string', 'all the event parameters as name=value pairs.', extractArgs),
    argField,
    rawArgField,
    plain('evt.is_open_read', 'bool', "true for open events where the file is opened for reading.", isOpenRead),
    plain('evt.is_open_write', 'bool', "true for open events where the file is opened for writing.", isOpenWrite),
    plain('evt.is_open_exec', 'bool', 'true for open events that create a file with execute permissions.', isOpenExec),
    plain('evt.is_open_create', 'bool', 'true for open events that create the file (O_CREAT).', (e) => {
      const f = openFlags(e);
      return f === undefined ? undefined : (f & O_CREAT) !== 0;
    }),
    plain('evt.buffer', 'bytes', 'the data buffer of read/write events (falconet does not capture I/O data).', notAvailable, {
      available: false,
    }),
    plain('evt.cpu', 'number', 'the CPU the event happened on (not captured by falconet).', notAvailable, { available: false }),
    plain('evt.latency', 'reltime', 'time between enter and exit (not captured: the probe pairs them in the kernel).', notAvailable, {
      available: false,
    }),
  ],
};
