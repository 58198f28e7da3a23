// The Kubernetes API side of container metadata: what src/metadata's other files and the CLI use.
export { KubernetesSource, type KubernetesSourceOptions } from './source.js';
export { workloadOf, type Workload } from './owner.js';
