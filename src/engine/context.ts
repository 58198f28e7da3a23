// The EngineContext the field extractors read: the process table, container metadata and user names.

import type { ContainerInfo, EngineContext, Thread } from './event.js';
import type { ThreadTable } from './state/threads.js';
import type { UserTable } from './users.js';

export class Context implements EngineContext {
  /** Containers a replayed capture recorded. */
  readonly containers = new Map<string, ContainerInfo>();

  constructor(
    private readonly threads: ThreadTable,
    private readonly users: UserTable,
    /** Mutable: a replayed capture names the host it was recorded on. */
    public hostname: string,
    /** The live runtimes' metadata (src/metadata's ContainerCache), when there is a live host. */
    private readonly metadata?: { get(id: string): ContainerInfo | undefined },
  ) {}

  thread(tid: number): Thread | undefined {
    return this.threads.get(tid);
  }

  container(id: string): ContainerInfo | undefined {
    return this.containers.get(id) ?? this.metadata?.get(id);
  }

  userName(uid: number): string | undefined {
    return this.users.user(uid)?.name;
  }

  groupName(gid: number): string | undefined {
    return this.users.group(gid)?.name;
  }

  userInfo(uid: number): { home: string; shell: string } | undefined {
    return this.users.user(uid);
  }

  /** The live host's DNS name cache (src/metadata/dns), set by `falconet run`. */
  dns: { namesOf(ip: string): readonly string[] | undefined } | undefined;

  dnsNames(ip: string): readonly string[] | undefined {
    return this.dns?.namesOf(ip);
  }
}
