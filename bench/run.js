// npm run bench [-- NAME...]: runs each benchmark in its own process, one after the other.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL = { engine: 'engine/run.mjs', enrichment: 'enrichment/run.mjs', capture: 'capture/run.mjs', probe: 'probe/run.mjs', outputs: 'outputs/run.mjs' };
const names = process.argv.slice(2).filter((a) => a in ALL);
let failed = 0;
for (const name of names.length ? names : Object.keys(ALL)) {
  const script = fileURLToPath(new URL(ALL[name], import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', script], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
