// Where syslog_output sends: a local socket (unix:///dev/log or a bare absolute path) or a remote
// collector over udp://, tcp:// (RFC 6587 octet counting) or tls://, as host:port.

export type SyslogAddress =
  | { transport: 'unix'; path: string }
  | { transport: 'udp' | 'tcp' | 'tls'; host: string; port: number };

const DEFAULT_PORTS = { udp: 514, tcp: 514, tls: 6514 } as const;

/** The address, or why it is not one. */
export function parseSyslogAddress(text: string): SyslogAddress | string {
  if (text.startsWith('/')) return { transport: 'unix', path: text };
  const m = /^(unix|udp|tcp|tls):\/\/(.*)$/.exec(text);
  if (!m) return `'${text}' is not a syslog address (unix:///dev/log, udp://host:514, tcp://host:514, tls://host:6514)`;
  const transport = m[1] as 'unix' | 'udp' | 'tcp' | 'tls';
  const rest = m[2]!;
  if (transport === 'unix') {
    if (!rest.startsWith('/')) return `'${text}': a unix socket needs an absolute path (unix:///dev/log)`;
    return { transport, path: rest };
  }
  const hp = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d+))?\/?$/.exec(rest);
  if (!hp) return `'${text}': expected ${transport}://host:port`;
  const port = hp[2] === undefined ? DEFAULT_PORTS[transport] : Number(hp[2]);
  if (!(port > 0 && port < 65536)) return `'${text}': port ${hp[2]} is out of range`;
  return { transport, host: hp[1]!.replace(/^\[|\]$/g, ''), port };
}
