// For tests: what a ConfigError says.

import { expect } from 'vitest';
import { ConfigError } from '../resolve.js';

/** The problems of the ConfigError `f` throws (fails the test when it throws something else or nothing). */
export function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
