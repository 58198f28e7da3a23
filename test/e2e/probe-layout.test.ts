// events.h is the one source of the record layout: the addon reports sizeof/offsetof and the event
// list straight from it, and this test holds the TS side (layout.ts, schema.ts, programs.ts) to them.
import { describe, expect, it } from 'vitest';
import { loadAddon, type NativeAddon } from '../../src/engine/probe/addon.js';
import { LAYOUT } from '../../src/engine/probe/layout.js';
import { programsOf } from '../../src/engine/probe/programs.js';
import { EVENT_BY_NAME } from '../../src/engine/schema.js';

let addon: NativeAddon | undefined;
let why = '';
try {
  addon = loadAddon();
} catch (err) {
  why = (err as Error).message;
}

describe('probe layout agreement (events.h <-> decoder)', () => {
  it('the addon is built', () => {
    expect(addon, why).toBeDefined();
  });

  it('header size, offsets and bounds match layout.ts', () => {
    expect(addon!.layout()).toEqual(LAYOUT);
  });

  it('every event type events.h emits has the schema.ts id and param count', () => {
    const types = addon!.eventTypes();
    expect(types.length).toBeGreaterThan(50);
    for (const t of types) {
      const spec = EVENT_BY_NAME.get(t.name);
      expect(spec, t.name).toBeDefined();
      expect({ name: t.name, id: t.id, nparams: t.nparams }).toEqual({ name: t.name, id: spec!.id, nparams: spec!.params.length });
      expect(t.nparams).toBeLessThanOrEqual(LAYOUT.maxParams);
    }
  });

  it('every emitted event type is served by programs that exist in the BPF object', () => {
    const progs = new Set(addon!.programNames());
    expect(progs.size).toBeGreaterThan(50);
    for (const t of addon!.eventTypes()) for (const p of programsOf(t.name)) expect(progs.has(p), `${t.name} -> ${p}`).toBe(true);
  });
});
