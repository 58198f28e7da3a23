// Why kernel tests cannot run here, if they cannot. They never skip: each suite's "is possible here"
// test fails with this reason, so a machine without root, BTF or the addon cannot pass for a tested one.
import { existsSync } from 'node:fs';
import { ROOT } from '../cli/cli.js';

export function kernelTestsPossible(): string | undefined {
  if (process.getuid?.() !== 0) return 'kernel tests need root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel exposes no BTF (/sys/kernel/btf/vmlinux)';
  if (!existsSync(`${ROOT}/build/Release/falconet_probe.node`)) return 'the probe addon is not built (npm ci builds it)';
  return undefined;
}
