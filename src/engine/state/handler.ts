// The shape every state handler has, and what a handler may ask of the state machine. One handler
// per syscall family lives in fd-handlers.ts (files, sockets, pipes) or process-handlers.ts (exec,
// fork, exit, ids, capabilities, session, cwd); apply.ts dispatches to them.

import type { Fd, RawRecord, Thread } from '../event.js';
import type { TaskSource } from '../../metadata/task-source.js';
import type { ThreadTable } from './threads.js';

/** What a handler may do beyond changing the calling thread. */
export interface StateHooks {
  readonly threads: ThreadTable;
  readonly tasks: TaskSource;
  /** Removes fd `n` from `fds` once the current event has been evaluated. */
  closeAfter(fds: Map<number, Fd>, n: number): void;
  /** Thread `tid` exited at `ts`: the table forgets it once the current event has been evaluated. */
  forgetAfter(tid: number, ts: bigint): void;
  /** The current event changed the name of its fd (fd.name_changed). */
  nameChanged(): void;
}

/**
 * Applies one record to the calling thread's state and returns the fd the event refers to.
 * `ok` is the syscall's success. Positional arguments, not a `{ rec, t, ok }` bag: that bag was one
 * allocation per event.
 */
export type Handler = (rec: RawRecord, t: Thread, ok: boolean, m: StateHooks) => Fd | undefined;
