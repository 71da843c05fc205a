import { describe, expect, it } from 'vitest';
import { classifyCgroups, describeCgroups, detectCgroups, limitHierarchy, parseCgroupMounts } from '../../../src/executor/containment/cgroups.js';

const HYBRID = [
  '30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw',
  '33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct',
  '34 30 0:30 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory',
  '35 30 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids',
  '36 30 0:32 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,freezer',
  '37 30 0:33 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,xattr,name=systemd',
].join('\n');
const V2_ONLY = '29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const V1_ONLY = HYBRID.split('\n').filter((l) => !l.includes('cgroup2')).join('\n');
const NONE = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw';

describe('cgroup layout detection', () => {
  const cases: { name: string; mountinfo: string; controllers: string[]; mode: string; memory?: string; cpu?: string; pids?: string }[] = [
    { name: 'hybrid host: limits in v1, tracking in v2', mountinfo: HYBRID, controllers: ['hugetlb'], mode: 'hybrid', memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct', pids: '/sys/fs/cgroup/pids' },
    { name: 'v2-only host with its controllers', mountinfo: V2_ONLY, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'], mode: 'v2', memory: '/sys/fs/cgroup', cpu: '/sys/fs/cgroup', pids: '/sys/fs/cgroup' },
    { name: 'v2-only host whose root hands out no memory controller', mountinfo: V2_ONLY, controllers: ['pids'], mode: 'v2', pids: '/sys/fs/cgroup' },
    { name: 'v1-only host', mountinfo: V1_ONLY, controllers: [], mode: 'v1', memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct', pids: '/sys/fs/cgroup/pids' },
    { name: 'no cgroups mounted', mountinfo: NONE, controllers: [], mode: 'none' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const layout = classifyCgroups(parseCgroupMounts(c.mountinfo), c.controllers);
      expect(layout.mode).toBe(c.mode);
      expect(limitHierarchy(layout, 'memory')?.root).toBe(c.memory);
      expect(limitHierarchy(layout, 'cpu')?.root).toBe(c.cpu);
      expect(limitHierarchy(layout, 'pids')?.root).toBe(c.pids);
    });
  }

  it('an escaped mount point (a space as \\040) is read back as written', () => {
    const m = parseCgroupMounts('31 30 0:27 / /sys/fs/cgroup/my\\040unified rw - cgroup2 cgroup2 rw');
    expect(m.unified).toBe('/sys/fs/cgroup/my unified');
  });

  it('the description names the mode and which limits are enforced', () => {
    expect(describeCgroups(classifyCgroups(parseCgroupMounts(HYBRID), ['hugetlb']))).toBe(
      'hybrid: v2 at /sys/fs/cgroup/unified (tracking and kill only); v1 memory, pids, cpu, freezer; limits: memory, cpu, pids',
    );
    expect(describeCgroups(classifyCgroups(parseCgroupMounts(NONE), []))).toMatch(/^none/);
  });

  it('an unreadable mountinfo means no cgroups, not a crash', () => {
    expect(detectCgroups(() => { throw new Error('EACCES'); }).mode).toBe('none');
  });

  it('detection only reads: mountinfo and the v2 root controllers', () => {
    const read: string[] = [];
    detectCgroups((p) => {
      read.push(p);
      return p.endsWith('mountinfo') ? HYBRID : 'hugetlb\n';
    });
    expect(read).toEqual(['/proc/self/mountinfo', '/sys/fs/cgroup/unified/cgroup.controllers']);
  });
});
