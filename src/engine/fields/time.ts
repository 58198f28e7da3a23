// Timestamp text forms. Falco prints evt.time in local time; falconet prints UTC so that output does
// not depend on the host's time zone (and tests do not either).

const NS = 1_000_000_000n;

function parts(ts: bigint): { date: Date; ns: string } {
  const secs = ts / NS;
  const ns = (ts % NS).toString().padStart(9, '0');
  return { date: new Date(Number(secs) * 1000), ns };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** HH:MM:SS.nnnnnnnnn (evt.time, and the prefix of alert lines). */
export function formatTime(ts: bigint): string {
  const { date, ns } = parts(ts);
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}.${ns}`;
}

/** HH:MM:SS (evt.time.s). */
export function formatTimeS(ts: bigint): string {
  return formatTime(ts).slice(0, 8);
}

/** YYYY-MM-DD (the date part shared by the forms below). */
function formatDate(date: Date): string {
  return `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}`;
}

/** 2024-05-01T12:34:56.123456789Z (evt.time.iso8601 and the alert's `time`). */
export function formatIso8601(ts: bigint): string {
  const { date } = parts(ts);
  return `${formatDate(date)}T${formatTime(ts)}Z`;
}

/** 2024-05-01 12:34:56.123456789 (evt.datetime). */
export function formatDateTime(ts: bigint): string {
  const { date } = parts(ts);
  return `${formatDate(date)} ${formatTime(ts)}`;
}
