import { describe, expect, it } from 'vitest';
import { diagnose, type HostFacts } from '../../src/doctor/checks.js';
import { cli } from '../helpers/e2e.js';

const good: HostFacts = {
  uid: 0,
  node: 'v20.19.0',
  cgroups: { mode: 'v2', unified: '/sys/fs/cgroup', unifiedControllers: ['cpu', 'memory', 'pids'], v1: {} },
  cgroupsWritable: true,
  supervisorCompiled: true,
  compiler: true,
  podUser: { name: 'nobody', uid: 65534 },
  setpriv: true,
  pidNamespace: true,
  disk: { path: '/var/lib/gitjobs', freeBytes: 50 * 1024 ** 3, freeInodes: 1_000_000 },
  systemd: true,
};
const verdicts = (f: HostFacts) => Object.fromEntries(diagnose(f).map((c) => [c.name, c.verdict]));
const check = (f: HostFacts, name: string) => diagnose(f).find((c) => c.name === name)!;

describe('doctor', () => {
  it('finds nothing missing on a full host', () => {
    expect(diagnose(good).every((c) => c.verdict === 'ok' && c.cost === undefined)).toBe(true);
  });

  it('names what a non-root daemon costs', () => {
    const f = { ...good, uid: 1000, podUser: undefined, pidNamespace: false };
    expect(verdicts(f)).toMatchObject({ cgroups: 'warn', 'pod user': 'warn', namespaces: 'warn' });
    expect(check(f, 'cgroups').cost).toMatch(/no limits.*setsid/);
    expect(check(f, 'pod user').cost).toMatch(/signal the daemon/);
  });

  it('names each missing controller and what it leaves unenforced', () => {
    const c = check({ ...good, cgroups: { ...good.cgroups, unifiedControllers: ['cpu'] } }, 'cgroups');
    expect(c.verdict).toBe('warn');
    expect(c.cost).toBe('limits.memory is not enforced (pods get a LimitNotEnforced warning); --pod-pids-max is not enforced (a fork bomb reaches the host)');
    expect(c.fix).toMatch(/memory, pids controllers/);
  });

  it('reports no cgroups, the shell supervisor, an unknown pod user and a nearly full disk', () => {
    const f: HostFacts = { ...good, cgroups: { mode: 'none', unifiedControllers: [], v1: {} }, supervisorCompiled: false, compiler: false, podUser: { error: '--pod-user: no user "ci" in /etc/passwd' }, disk: { path: '/', freeBytes: 100 * 1024 ** 2, freeInodes: 5_000_000 } };
    expect(verdicts(f)).toMatchObject({ cgroups: 'missing', supervisor: 'warn', 'pod user': 'missing', disk: 'warn' });
    expect(check(f, 'supervisor').fix).toMatch(/install a C compiler/);
    expect(check(f, 'disk').cost).toMatch(/writes fail and the daemon waits/);
  });

  it('runs on this host and exits 0 unless something needed is missing', () => {
    const r = cli(['doctor', '-o', 'json']);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; verdict: string }[] }).checks;
    expect(checks.map((c) => c.name)).toEqual(['node', 'cgroups', 'supervisor', 'pod user', 'namespaces', 'disk', 'systemd']);
    expect(r.code).toBe(checks.some((c) => c.verdict === 'missing') ? 1 : 0);
    const text = cli(['doctor']).stdout;
    expect(text).toMatch(/^OK\s+node\s+v\d+/m);
    for (const c of checks.filter((x) => x.verdict !== 'ok')) expect(text).toMatch(new RegExp(`${c.name}[^\\n]*\\n\\s+costs: `));
  });
});
