// Clean detach, as the kernel itself reports it (bpftool): while `falconet run` watches, its programs
// are loaded and linked; after SIGTERM (an orchestrator stopping the pod) or even SIGKILL, none of them
// stays behind in the kernel.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kernelTestsPossible, startLive, until } from './env.js';

const why = kernelTestsPossible();

/** falconet's process-lifecycle programs loaded in the kernel now: every session loads these three. */
function lifecyclePrograms(): number {
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as { name?: string }[];
  return progs.filter((p) => p.name === 't_exec' || p.name === 't_fork' || p.name === 't_exit').length;
}

describe('detaching from the kernel (e2e)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no program in the kernel after ${signal}`, async () => {
      const before = lifecyclePrograms();
      const live = await startLive(['run']);
      expect(lifecyclePrograms()).toBe(before + 3);
      const exited = new Promise<number | null>((r) => live.child.once('exit', (code) => r(code)));
      live.child.kill(signal);
      const code = await exited;
      if (signal === 'SIGTERM') {
        expect(code).toBe(0); // an orderly stop: the summary is written
        expect(live.out.stderr).toContain('"msg":"stopped"');
      }
      // The kernel releases programs asynchronously once their last fd is closed.
      await until(() => lifecyclePrograms() === before, 5000);
      expect(lifecyclePrograms()).toBe(before);
    });
  }
});
