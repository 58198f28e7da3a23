// What the schema's types cannot say: settings that only make sense together, and values with a
// grammar of their own (a URL, a syslog address), and lists whose items exclude each other.

import type { Path } from './tree.js';
import type { Settings } from './schema.js';
import { parseSyslogAddress } from './syslog-address.js';

export interface Problem {
  path: Path;
  message: string;
}

export function semanticProblems(s: Settings): Problem[] {
  const out: Problem[] = [];
  if (s.http_output.enabled) {
    let url: URL | undefined;
    try {
      url = new URL(s.http_output.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      out.push({ path: ['http_output', 'url'], message: `'${s.http_output.url}' is not an http:// or https:// URL` });
    }
    if (s.http_output.mtls && (!s.http_output.client_cert || !s.http_output.client_key)) {
      out.push({ path: ['http_output', 'mtls'], message: 'mtls needs client_cert and client_key' });
    }
  }
  if (s.program_output.enabled && s.program_output.program.trim() === '') {
    out.push({ path: ['program_output', 'program'], message: 'program_output is enabled but names no program' });
  }
  if (s.syslog_output.enabled) {
    const a = parseSyslogAddress(s.syslog_output.address);
    if (typeof a === 'string') out.push({ path: ['syslog_output', 'address'], message: a });
  }
  if (s.file_output.enabled && s.file_output.filename.includes('\0')) {
    out.push({ path: ['file_output', 'filename'], message: 'a file name cannot hold a NUL byte' });
  }
  const actions = s.syscall_event_drops.actions;
  if (actions.includes('ignore') && actions.length > 1) {
    out.push({ path: ['syscall_event_drops', 'actions'], message: `'ignore' cannot be combined with other actions (${actions.filter((a) => a !== 'ignore').join(', ')})` });
  }
  return out;
}
