// Whether kernel tests can run here. In CI (CI=true) they must run: a missing environment is a failure
// there, reported by the "is possible here" test of each suite; elsewhere the suite is skipped.
import { existsSync } from 'node:fs';
import { ROOT } from '../cli/cli.js';

export function kernelTestsPossible(): string | undefined {
  if (process.getuid?.() !== 0) return 'kernel tests need root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel exposes no BTF (/sys/kernel/btf/vmlinux)';
  if (!existsSync(`${ROOT}/build/Release/falconet_probe.node`)) return 'the probe addon is not built (npm ci builds it)';
  return undefined;
}
