// Can the kernel probe run here? Used by the e2e tests to fail (CI) or skip with the reason, and
// usable by a CLI check before starting the monitor.
import { openProbe } from './probe.js';

/** '' when a minimal probe loads and attaches; otherwise the error message saying why not. */
export function probeUnavailableReason(): string {
  try {
    openProbe({ eventTypes: ['close'], onBatch: () => {} }).stop();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
