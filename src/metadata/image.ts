// Image references and runtime timestamps as the runtimes write them, turned into Falco's fields.

/**
 * `registry:5000/team/app:1.2@sha256:...` → repository `registry:5000/team/app`, tag `1.2`, digest
 * `sha256:...`. No tag means `latest` (as the runtimes pull it); a bare digest reference has no tag.
 */
export function splitImage(image: string): { repository: string; tag: string; digest: string } {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : '';
  // A colon after the last slash starts the tag; one before it is a registry port.
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : name && !digest ? 'latest' : '';
  return { repository, tag, digest };
}

/** An RFC 3339 time with up to nanoseconds (`2026-12-01T19:10:27.123456789Z`) as ns since the epoch; 0n when unset. */
export function parseTimestampNs(text: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m?.[1]) return 0n;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms) || ms <= 0) return 0n; // Docker writes 0001-01-01T00:00:00Z for "never"
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}
