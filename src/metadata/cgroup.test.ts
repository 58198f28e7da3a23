import { describe, expect, it } from 'vitest';
import { cgroupPathFromProcFile, containerFromCgroup } from './cgroup.js';

const ID = '3f2a9c81d2e4b5a6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4';

describe('containerFromCgroup', () => {
  it.each([
    [`/system.slice/docker-${ID}.scope`, 'docker'],
    [`/docker/${ID}`, 'docker'],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope`, 'containerd'],
    [`/kubepods/besteffort/pod1234/${ID}`, 'containerd'],
    [`/kubepods.slice/kubepods-pod1.slice/crio-${ID}.scope`, 'cri-o'],
    [`/machine.slice/libpod-${ID}.scope/container`, 'podman'],
    [`/system.slice/docker-${ID}.scope/init.scope`, 'docker'],
  ])('%s is a %s container', (path, runtime) => {
    expect(containerFromCgroup(path)).toEqual({ fullId: ID, id: ID.slice(0, 12), runtime });
  });

  it.each(['/', '/user.slice/user-0.slice/session-1.scope', '/system.slice/docker.service', ''])('%s is the host', (path) => {
    expect(containerFromCgroup(path)).toBeUndefined();
  });
});

describe('cgroupPathFromProcFile', () => {
  it('prefers the unified hierarchy', () => {
    expect(cgroupPathFromProcFile('12:cpu:/a\n0::/system.slice/x.scope\n')).toBe('/system.slice/x.scope');
  });
  it('falls back to the first v1 hierarchy', () => {
    expect(cgroupPathFromProcFile('12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n')).toBe('/docker/abc');
  });
});
