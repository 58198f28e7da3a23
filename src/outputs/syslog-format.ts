// Syslog messages: the priority (facility * 8 + severity, severity from the alert's priority, which
// uses syslog's own eight levels) and the two framings. RFC 3164 is what syslog(3) writes to
// /dev/log, so local daemons (rsyslog, syslog-ng, journald) read it; RFC 5424 is for collectors.
// The message is the alert's text or JSON, already free of control characters, so it cannot
// start a second frame; on TCP, RFC 6587 octet counting frames it by length anyway.

import { FACILITIES, type Facility } from '../config/index.js';

const SEVERITY: Record<string, number> = {
  Emergency: 0, Alert: 1, Critical: 2, Error: 3, Warning: 4, Notice: 5, Informational: 6, Debug: 7,
};

export function syslogPri(facility: Facility, priority: string): number {
  return FACILITIES[facility] * 8 + (SEVERITY[priority] ?? 5);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG` in local time, as glibc's syslog(3) sends it. */
export function rfc3164(pri: number, tag: string, msg: string, now = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = String(now.getDate()).padStart(2, ' ');
  const stamp = `${MONTHS[now.getMonth()]} ${day} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `<${pri}>${stamp} ${tag}[${process.pid}]: ${msg}`;
}

/** `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`; the message is UTF-8, marked with the BOM RFC 5424 asks for. */
export function rfc5424(pri: number, host: string, app: string, msgid: string, msg: string, now = new Date()): string {
  return `<${pri}>1 ${now.toISOString()} ${headerToken(host, 255)} ${headerToken(app, 48)} ${process.pid} ${headerToken(msgid, 32)} - \ufeff${msg}`;
}

/** Header fields are printable ASCII without spaces, each at most as long as RFC 5424 allows; '-' when empty. */
function headerToken(s: string, max: number): string {
  const t = s.replace(/[^!-~]/g, '_').slice(0, max);
  return t === '' ? '-' : t;
}

/** RFC 6587 octet counting: "LEN SP MSG", LEN in bytes. */
export function octetCounted(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
