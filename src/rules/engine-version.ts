// The Falco engine version falconet's rule language corresponds to, and how a rules file's
// `required_engine_version` is read and checked against it. Falco refuses a file that needs a newer
// engine rather than loading rules whose fields or syntax it may not know; falconet does the same.

/**
 * The engine version of Falco 0.44, the release whose rule files (falcosecurity/rules, the copies
 * in shared/compat) falconet is tested against. Raise it when falconet follows a newer Falco.
 */
export const ENGINE_VERSION = '0.62.0';

export interface EngineVersion {
  major: number;
  minor: number;
  patch: number;
}

/**
 * Reads a `required_engine_version` value as Falco does: a bare integer N is the old scheme and means
 * 0.N.0; anything else must be a semver string x.y.z. Undefined when it is neither.
 */
export function parseEngineVersion(text: string): EngineVersion | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { major: 0, minor: Number(t), patch: 0 };
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(t);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export const showVersion = (v: EngineVersion): string => `${v.major}.${v.minor}.${v.patch}`;

export function compareVersions(a: EngineVersion, b: EngineVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Falco's rule: the same major version, and ours at least the one required. */
export function satisfies(ours: EngineVersion, required: EngineVersion): boolean {
  return ours.major === required.major && compareVersions(ours, required) >= 0;
}
