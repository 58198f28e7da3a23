// The kernel probe as the rest of the engine sees it.
export { openProbe, ownPidNamespace, type Probe, type ProbeOptions, type ProbeStats } from './probe.js';
export { probeUnavailableReason } from './check.js';
export { ProbeError, type ProbeErrorCode } from './errors.js';
export { decodeBatch, decodeRecord, forEachRecord, recordTypeId, recordTruncated } from './decoder.js';
export { ia32Uncovered, programsOf, planPrograms, type SyscallNumbers } from './programs.js';
export { LAYOUT } from './layout.js';
