// Field classes `user` and `group`: who the process runs as. Ids are the effective ones, as libsinsp
// reports them; names come from the engine's user table and are <NA> when the id is unknown there.

import type { Thread } from '../event.js';
import { plain, type FieldClass } from './types.js';

/** The kernel's "no login uid" is (uid_t)-1; Falco shows it as -1. */
const loginuid = (t: Thread): number => (t.loginuid === 4294967295 ? -1 : t.loginuid);

export const userFields: FieldClass = {
  name: 'user',
  desc: 'User fields: the user the process runs as.',
  fields: [
    plain('user.uid', 'number', 'the effective user id.', (e) => e.thread.euid),
    plain('user.name', 'string', 'the user name.', (e, ctx) => ctx.userName(e.thread.euid)),
    plain('user.homedir', 'string', 'the home directory of the user.', (e, ctx) => ctx.userInfo(e.thread.euid)?.home),
    plain('user.shell', 'string', "the user's shell.", (e, ctx) => ctx.userInfo(e.thread.euid)?.shell),
    plain('user.loginuid', 'number', 'the audit login uid of the process (-1 when not set).', (e) => loginuid(e.thread)),
    plain('user.loginname', 'string', 'the name of the login user.', (e, ctx) => {
      const id = loginuid(e.thread);
      return id < 0 ? undefined : ctx.userName(id);
    }),
  ],
};

export const groupFields: FieldClass = {
  name: 'group',
  desc: 'Group fields: the group the process runs as.',
  fields: [
    plain('group.gid', 'number', 'the effective group id.', (e) => e.thread.egid),
    plain('group.name', 'string', 'the group name.', (e, ctx) => ctx.groupName(e.thread.egid)),
  ],
};
