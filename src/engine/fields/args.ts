// Syscall parameters as fields: evt.arg.NAME / evt.arg[N] render a parameter as Falco prints it,
// evt.rawarg.NAME gives its raw value, evt.args renders them all. The parameter's type comes from
// src/engine/schema.ts and is looked up per event type once, when the field is bound.

import type { ArgValue, EngineContext, SockAddr, SyscallEvent } from '../event.js';
import { EVENT_BY_NAME, EVENT_TYPES, type EventTypeSpec, type ParamType } from '../schema.js';
import { AT_FDCWD, resolvePath } from '../state/paths.js';
import { renderEnum, renderFlags, renderMode, FLAG_SETS } from './render.js';
import type { Extractor, FieldValue } from './types.js';
import type { EnumName, FlagSetName } from '../schema.js';

type ArgRenderer = (raw: ArgValue, ctx: EngineContext, evt: SyscallEvent) => string | undefined;

export function renderSockAddr(a: SockAddr): string {
  if (a.family === 'unix') return a.path;
  if (a.family === 'unknown') return String(a.raw);
  return a.family === 'ipv6' ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

function asNumber(raw: ArgValue): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  return undefined;
}

/** Renders one raw parameter value of the given schema type as text. */
export function rendererFor(type: ParamType): ArgRenderer {
  if (type.startsWith('flags:')) {
    const bits = FLAG_SETS[type.slice(6) as FlagSetName];
    // `evt.arg.flags contains O_CREAT` runs on every open; a process uses few distinct flag
    // values, so each is rendered once. Bounded against workloads that cycle through many.
    const memo = new Map<number, string>();
    return (raw) => {
      const n = asNumber(raw);
      if (n === undefined) return undefined;
      let text = memo.get(n);
      if (text === undefined) {
        if (memo.size >= 1024) memo.clear();
        memo.set(n, (text = renderFlags(bits, n)));
      }
      return text;
    };
  }
  if (type.startsWith('enum:')) {
    const name = type.slice(5) as EnumName;
    return (raw) => {
      const n = asNumber(raw);
      return n === undefined ? undefined : renderEnum(name, n);
    };
  }
  switch (type) {
    case 'mode':
      return (raw) => {
        const n = asNumber(raw);
        return n === undefined ? undefined : renderMode(n);
      };
    // Falco shows ids as names when the user/group is known (evt.arg.uid = nobody).
    case 'uid':
      return (raw, ctx) => {
        const n = asNumber(raw);
        return n === undefined ? undefined : (ctx.userName(n) ?? String(n));
      };
    case 'gid':
      return (raw, ctx) => {
        const n = asNumber(raw);
        return n === undefined ? undefined : (ctx.groupName(n) ?? String(n));
      };
    default:
      return renderGeneric;
  }
}

export function renderGeneric(raw: ArgValue): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
  if (Array.isArray(raw)) return raw.join(' ');
  return renderSockAddr(raw as SockAddr);
}

/**
 * Path parameters render absolute, as Falco shows them: a relative path is joined to the directory
 * its dirfd names (the fd param just before it, e.g. openat's dirfd, renameat's newdirfd) or, for
 * AT_FDCWD and plain syscalls, to the cwd. evt.rawarg keeps the path as the process passed it.
 */
export function pathRenderer(dirfd: string | undefined): ArgRenderer {
  return (raw, _ctx, evt) => {
    if (typeof raw !== 'string') return renderGeneric(raw);
    if (raw === '' || raw.charCodeAt(0) === 47) return raw;
    const t = evt.thread;
    // The event is evaluated after it was applied: a successful chdir has already moved the cwd to
    // where its relative path led, so that path is the cwd now (joining it again would double it).
    if (evt.type === 'chdir' && evt.res === 0) return t.cwd;
    const fd = dirfd === undefined ? AT_FDCWD : evt.args[dirfd];
    // A dirfd the table does not know (or an unknown cwd) leaves the path as the process passed it:
    // joining it to the cwd instead would name a file that may not be the one the kernel used.
    const base = typeof fd === 'number' && fd !== AT_FDCWD ? t.fds.get(fd)?.name : t.cwd;
    return base ? resolvePath(base, raw) : raw;
  };
}

/** The renderer for the index-th parameter of an event type. */
function paramRenderer(spec: EventTypeSpec, index: number): ArgRenderer {
  const p = spec.params[index]!;
  if (p.type !== 'path') return rendererFor(p.type);
  const prev = spec.params[index - 1];
  return pathRenderer(prev && prev.type === 'fd' && prev.name.includes('dir') ? prev.name : undefined);
}

/** For one parameter name: event type → renderer, for the event types that have it. */
function renderersByName(name: string): Map<string, ArgRenderer> {
  const out = new Map<string, ArgRenderer>();
  for (const e of EVENT_TYPES) {
    const i = e.params.findIndex((q) => q.name === name);
    if (i >= 0) out.set(e.name, paramRenderer(e, i));
  }
  return out;
}

/** evt.arg.NAME: the rendered parameter; names no event declares still read raw args as text. */
export function bindArgByName(name: string): Extractor {
  const renderers = renderersByName(name);
  return (evt: SyscallEvent, ctx: EngineContext): FieldValue => {
    const raw = evt.args[name];
    if (raw === undefined) return undefined;
    const r = renderers.get(evt.type);
    return r ? r(raw, ctx, evt) : renderGeneric(raw);
  };
}

/** evt.arg[N]: the N-th parameter of the event type, rendered. */
export function bindArgByIndex(index: number): Extractor {
  const byType = new Map<string, { name: string; render: ArgRenderer }>();
  for (const e of EVENT_TYPES) {
    const p = e.params[index];
    if (p) byType.set(e.name, { name: p.name, render: paramRenderer(e, index) });
  }
  return (evt, ctx) => {
    const p = byType.get(evt.type);
    if (!p) return undefined;
    const raw = evt.args[p.name];
    return raw === undefined ? undefined : p.render(raw, ctx, evt);
  };
}

/** evt.rawarg.NAME: numbers stay numbers; addresses and argv read as text. */
export function bindRawArg(name: string): Extractor {
  return (evt) => {
    const raw = evt.args[name];
    if (raw === undefined || typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint') return raw;
    return renderGeneric(raw);
  };
}

/** evt.args: every parameter as name=value, in schema order. Used in outputs, so it may allocate. */
export const extractArgs: Extractor = (evt, ctx) => {
  const spec = EVENT_BY_NAME.get(evt.type);
  const parts: string[] = [];
  if (spec) {
    spec.params.forEach((p, i) => {
      const raw = evt.args[p.name];
      if (raw !== undefined) parts.push(`${p.name}=${paramRenderer(spec, i)(raw, ctx, evt) ?? ''}`);
    });
  } else {
    for (const [k, raw] of Object.entries(evt.args)) if (raw !== undefined) parts.push(`${k}=${renderGeneric(raw) ?? ''}`);
  }
  return parts.join(' ');
};
