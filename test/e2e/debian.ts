// The Debian test image for e2e tests that need more than busybox (dpkg, apt, python3-less bash, a
// real /etc): the same bookworm minbase scripts/build-image.sh makes for the product image, made with
// debootstrap and `docker import` once per machine (no registry), then reused by every test file.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../cli/cli.js';
import { run } from './spawn.js';

export const DEBIAN_IMAGE = 'falconet-base:bookworm';

/** Builds the image if it is missing (a few minutes: debootstrap from the Debian mirror); rejects why not. */
export async function ensureDebianImage(): Promise<string> {
  if (spawnSync('docker', ['image', 'inspect', DEBIAN_IMAGE], { stdio: 'ignore' }).status === 0) return DEBIAN_IMAGE;
  await run('bash', [join(ROOT, 'scripts/build-image.sh'), '--base'], { timeoutMs: 900_000 });
  return DEBIAN_IMAGE;
}
