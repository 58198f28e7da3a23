// bench/enrichment: events/s through the full pipeline (decode -> state -> rules -> alerts) with the
// container metadata cache filled, as `falconet run` has it (names, images, labels, pod), and matches
// and events passing the AlertGate's "is this container's metadata pending?" check, against the same
// pipeline without metadata or gate, in the same run. Both use Falco's stable rules with the container
// and pod fields appended to every alert (append_output, the live default).
//
//   npm run bench -- enrichment     (or: node bench/enrichment/run.mjs [records] [rounds])
import { fileURLToPath } from 'node:url';
import { ContainerCache } from '../../dist/metadata/containers.js';
import { APPEND_OUTPUT } from '../../dist/cli/rule-files.js';
import { fullPipeline, ruleset, syntheticBatches } from '../engine/pipeline.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const COMPAT = fileURLToPath(new URL('../../../shared/compat', import.meta.url));

const batches = syntheticBatches(N);
const rs = ruleset([`${COMPAT}/falco_rules.yaml`], { appendOutput: APPEND_OUTPUT });

// The synthetic stream's container (bench/engine/synthetic.mjs), as the runtime clients describe it.
const cache = new ContainerCache();
cache.upsert({
  id: '3f2a9c81d2e4', name: 'web-7d4b9c', image: 'docker.io/library/nginx:1.27', imageRepository: 'docker.io/library/nginx',
  imageTag: '1.27', imageDigest: 'sha256:' + 'ab'.repeat(32), imageId: 'sha256:' + 'cd'.repeat(32), type: 'containerd', privileged: false,
  labels: { 'io.kubernetes.pod.name': 'web-7d4b9c-x2x9z', 'io.kubernetes.pod.namespace': 'shop' },
  mounts: [{ source: '/var/lib/kubelet/pods/1/volumes', dest: '/data', mode: '', rw: true, propagation: 'private' }],
  startTs: 1_700_000_000_000_000_000n, ip: '10.1.2.3', hostNetwork: false, hostPid: false, hostIpc: false,
  k8s: { podName: 'web-7d4b9c-x2x9z', podUid: 'u1', namespace: 'shop', containerName: 'web', sandboxId: 'ef'.repeat(32), podIp: '10.1.2.3', podLabels: { app: 'web' }, nsLabels: { team: 'shop' } },
});

const variants = [
  { label: 'full pipeline, no container metadata (baseline)', run: () => fullPipeline(batches, rs) },
  { label: 'full pipeline, container metadata filled', run: () => fullPipeline(batches, rs, cache) },
];
for (const v of variants) v.run();
const secs = variants.map(() => Infinity);
const outs = [];
for (let r = 0; r < ROUNDS; r++) {
  variants.forEach((v, i) => {
    const t0 = process.hrtime.bigint();
    outs[i] = v.run();
    secs[i] = Math.min(secs[i], Number(process.hrtime.bigint() - t0) / 1e9);
  });
}
console.log(`enrichment bench: ${N} synthetic records, falco_rules.yaml with append_output, best of ${ROUNDS} rounds, node ${process.version}`);
variants.forEach((v, i) => {
  const ratio = i === 0 ? '' : `  (${(secs[i] / secs[0]).toFixed(2)}x the baseline's time)`;
  console.log(`  ${v.label.padEnd(52)} ${(N / secs[i] / 1e6).toFixed(2)} M events/s, ${outs[i].alerts} alerts${ratio}`);
});
