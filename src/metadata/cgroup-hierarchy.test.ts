import { describe, expect, it } from 'vitest';
import { cgroupPathFromProcFile } from './cgroup.js';
import { chooseCgroupHierarchy } from './cgroup-hierarchy.js';

// /proc/cgroups of three kinds of host, as the kernel prints it (one line per controller, in id order)
const V1 = `#subsys_name\thierarchy\tnum_cgroups\tenabled
cpuset\t3\t1\t1
cpu\t1\t1\t1
cpuacct\t2\t1\t1
blkio\t7\t1\t1
memory\t4\t48\t1
devices\t5\t1\t1
freezer\t6\t1\t1
net_cls\t0\t1\t1
perf_event\t0\t1\t1
net_prio\t0\t1\t1
hugetlb\t0\t1\t1
pids\t8\t1\t1
`;
const V2 = V1.replace(/^(\w+)\t\d+\t/gm, '$1\t0\t');
const NO_PIDS = V1.replace('pids\t8\t1\t1', 'pids\t0\t1\t1');

describe('chooseCgroupHierarchy', () => {
  it('follows the unified hierarchy on a cgroup v2 host, whose controllers are in no v1 hierarchy', () => {
    expect(chooseCgroupHierarchy('auto', V2)).toEqual({ kind: 'unified' });
  });
  it('follows a v1 controller on v1 and hybrid hosts, pids first, by its id (its line in /proc/cgroups)', () => {
    expect(chooseCgroupHierarchy('auto', V1)).toEqual({ kind: 'v1', controller: 'pids', ssid: 11 });
    expect(chooseCgroupHierarchy('auto', NO_PIDS)).toEqual({ kind: 'v1', controller: 'memory', ssid: 4 });
  });
  it('takes an explicit choice, and says why one cannot be had', () => {
    expect(chooseCgroupHierarchy('unified', V1)).toEqual({ kind: 'unified' });
    expect(chooseCgroupHierarchy('cpu', V1)).toEqual({ kind: 'v1', controller: 'cpu', ssid: 1 });
    expect(chooseCgroupHierarchy('net_cls', V1)).toBe("the cgroup controller 'net_cls' is not mounted as a v1 hierarchy here");
    expect(chooseCgroupHierarchy('bogus', V1)).toMatch(/^unknown cgroup controller 'bogus' \(this kernel has: cpuset, cpu, cpuacct, blkio, memory/);
  });
});

describe('cgroupPathFromProcFile in a hierarchy', () => {
  const file = '12:pids:/docker/abc\n4:memory:/process_api/1\n2:cpu,cpuacct:/docker/abc\n0::/\n';
  it('reads the line of the chosen controller, also from a joint mount (cpu,cpuacct)', () => {
    expect(cgroupPathFromProcFile(file, { kind: 'v1', controller: 'pids', ssid: 11 })).toBe('/docker/abc');
    expect(cgroupPathFromProcFile(file, { kind: 'v1', controller: 'memory', ssid: 4 })).toBe('/process_api/1');
    expect(cgroupPathFromProcFile(file, { kind: 'v1', controller: 'cpuacct', ssid: 2 })).toBe('/docker/abc');
  });
  it('reads the unified line, and nothing when the hierarchy has no line', () => {
    expect(cgroupPathFromProcFile(file, { kind: 'unified' })).toBe('/');
    expect(cgroupPathFromProcFile('1:cpu:/a\n', { kind: 'unified' })).toBe('');
  });
});
