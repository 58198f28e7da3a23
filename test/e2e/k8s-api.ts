// A real HTTP server that speaks the part of the Kubernetes API the pod source uses: LIST and
// WATCH of pods (cluster-wide, with a spec.nodeName field selector) and of namespaces, with one
// global resourceVersion as etcd keeps it. Tests drive it (add, update, remove, expire, stop,
// restart) and read what it served, so the client under test meets the real protocol over a real
// socket, 410 Gone included, instead of a mocked library call.

import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Resource = 'pods' | 'namespaces';
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * How expire() tells watchers their resourceVersion is gone. A real API server sends an ERROR event
 * whose object is a Status with code 410 in a 200 stream, then closes it ('error-event'); some
 * proxies and older servers answer the watch request itself with HTTP 410 ('http').
 * 'error-event-kept-open' sends the ERROR event and leaves the stream open: a client must act on
 * the event itself, not wait for the close (client-node's own informer waits).
 */
export type GoneMode = 'error-event' | 'error-event-kept-open' | 'http';

export interface KubeObject {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/** What the server answered, per resource: a test asserts a fresh LIST followed a 410. */
export interface Served {
  lists: number;
  watches: number;
  /** Watch requests answered 410, in either mode. */
  gone: number;
}

export interface FakeApiServer {
  readonly url: string;
  readonly port: number;
  add(resource: Resource, object: KubeObject): void;
  update(resource: Resource, object: KubeObject): void;
  remove(resource: Resource, object: KubeObject): void;
  /** Forgets all history: open watches end with a 410, and so does any watch from an older version. */
  expire(mode: GoneMode): void;
  served(resource: Resource): Served;
  /** Closes the listener and every connection; the objects stay. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same objects and resourceVersion. */
  restart(): Promise<void>;
}

const KINDS: Record<Resource, { list: string; kind: string }> = {
  pods: { list: 'PodList', kind: 'Pod' },
  namespaces: { list: 'NamespaceList', kind: 'Namespace' },
};

interface Change {
  rv: number;
  resource: Resource;
  type: EventType;
  object: KubeObject;
  /** The object before this change (MODIFIED, DELETED): a field selector may have matched only one side. */
  before?: KubeObject;
}

type Selector = (o: KubeObject) => boolean;

interface Watcher {
  resource: Resource;
  matches: Selector;
  res: ServerResponse;
}

/** A kubeconfig file (in `dir`) that points the monitor at `url`, as on a host outside the cluster. */
export function writeKubeconfig(dir: string, url: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]
users: [{name: test, user: {}}]
contexts: [{name: test, context: {cluster: test, user: test}}]
current-context: test
`,
  );
  return file;
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  let rv = 1;
  /** Watches from a resourceVersion below this are answered 410. */
  let oldestKept = 1;
  let goneMode: GoneMode = 'error-event';
  const objects: Record<Resource, Map<string, KubeObject>> = { pods: new Map(), namespaces: new Map() };
  const history: Change[] = [];
  const watchers = new Set<Watcher>();
  /** Streams that told their 410 and were left open ('error-event-kept-open'): they get nothing more. */
  const held = new Set<ServerResponse>();
  const served: Record<Resource, Served> = { pods: { lists: 0, watches: 0, gone: 0 }, namespaces: { lists: 0, watches: 0, gone: 0 } };

  function write(resource: Resource, type: EventType, object: KubeObject): void {
    const k = keyOf(object);
    const before = objects[resource].get(k);
    if (type === 'ADDED' && before) throw new Error(`${resource} ${k} already exists`);
    if (type !== 'ADDED' && !before) throw new Error(`${resource} ${k} does not exist`);
    rv++;
    const stored = structuredClone(type === 'DELETED' ? before! : object);
    stored.metadata.resourceVersion = String(rv);
    stored.metadata.uid ??= before?.metadata.uid ?? `uid-${resource}-${rv}`;
    if (type === 'DELETED') objects[resource].delete(k);
    else objects[resource].set(k, stored);
    const change: Change = { rv, resource, type, object: stored, before };
    history.push(change);
    for (const w of watchers) if (w.resource === resource) send(w, change);
  }

  function send(w: Watcher, c: Change): void {
    const type = eventFor(c, w.matches);
    if (type) w.res.write(`${JSON.stringify({ type, object: c.object })}\n`);
  }

  function list(resource: Resource, matches: Selector, res: ServerResponse): void {
    served[resource].lists++;
    const items = [...objects[resource].values()].filter(matches);
    json(res, 200, { kind: KINDS[resource].list, apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items });
  }

  function watch(resource: Resource, matches: Selector, from: string | null, res: ServerResponse): void {
    served[resource].watches++;
    const since = from === null || from === '' || from === '0' ? undefined : Number(from);
    if (since !== undefined && !(since >= oldestKept)) {
      served[resource].gone++;
      const status = goneStatus(from ?? '');
      if (goneMode === 'http') return json(res, 410, status);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      if (goneMode === 'error-event') res.end();
      else held.add(res);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    const w: Watcher = { resource, matches, res };
    watchers.add(w);
    res.on('close', () => watchers.delete(w));
    // No version: the current objects as ADDED, as the API server does; else the changes since.
    if (since === undefined) for (const o of objects[resource].values()) send(w, { rv, resource, type: 'ADDED', object: o });
    else for (const c of history) if (c.resource === resource && c.rv > since) send(w, c);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const resource = resourceOf(url.pathname);
    if (!resource) return json(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    if (req.method !== 'GET') return json(res, 405, status(405, 'MethodNotAllowed', `${req.method} is not supported here`));
    const matches = fieldSelector(url.searchParams.get('fieldSelector'));
    if (!matches) return json(res, 400, status(400, 'BadRequest', `unsupported field selector ${url.searchParams.get('fieldSelector')}`));
    const w = url.searchParams.get('watch');
    if (w === 'true' || w === '1') watch(resource, matches, url.searchParams.get('resourceVersion'), res);
    else list(resource, matches, res);
  }

  let server: Server = await listen(createServer(handle), 0);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    add: (r, o) => write(r, 'ADDED', o),
    update: (r, o) => write(r, 'MODIFIED', o),
    remove: (r, o) => write(r, 'DELETED', o),
    expire(mode) {
      goneMode = mode;
      // An unrelated write elsewhere in the cluster moves the version on, so a LIST after this
      // returns a version that is not itself too old.
      oldestKept = ++rv;
      history.length = 0;
      for (const w of watchers) {
        watchers.delete(w);
        if (mode === 'http') {
          w.res.end();
          continue;
        }
        served[w.resource].gone++;
        w.res.write(`${JSON.stringify({ type: 'ERROR', object: goneStatus('') })}\n`);
        if (mode === 'error-event') w.res.end();
        else held.add(w.res);
      }
    },
    served: (r) => ({ ...served[r] }),
    async stop() {
      for (const w of watchers) w.res.destroy();
      for (const r of held) r.destroy();
      watchers.clear();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restart() {
      server = await listen(createServer(handle), port);
    },
  };
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function resourceOf(path: string): Resource | undefined {
  if (path === '/api/v1/pods') return 'pods';
  if (path === '/api/v1/namespaces') return 'namespaces';
  return undefined;
}

/** The event a watcher with this selector sees: an object moving into or out of its selection is ADDED or DELETED for it. */
function eventFor(c: Change, matches: Selector): EventType | undefined {
  const now = c.type !== 'DELETED' && matches(c.object);
  const was = c.before !== undefined && matches(c.before);
  if (c.type === 'DELETED') return was ? 'DELETED' : undefined;
  if (now && was) return 'MODIFIED';
  if (now) return 'ADDED';
  return was ? 'DELETED' : undefined;
}

/** `path=value`, `path==value` and `path!=value` terms joined by commas, on dotted field paths (spec.nodeName). */
function fieldSelector(text: string | null): Selector | undefined {
  if (!text) return () => true;
  const terms: Selector[] = [];
  for (const term of text.split(',')) {
    const m = /^([A-Za-z.]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) return undefined;
    const [, path, op, value] = m as unknown as [string, string, string, string];
    terms.push((o) => (fieldAt(o, path) === value) === (op !== '!='));
  }
  return (o) => terms.every((t) => t(o));
}

function fieldAt(o: KubeObject, path: string): string {
  let v: unknown = o;
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'string' ? v : '';
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function goneStatus(from: string): Record<string, unknown> {
  return status(410, 'Expired', `too old resource version: ${from || 'unknown'}`);
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
