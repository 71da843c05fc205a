import { describe, expect, it } from 'vitest';
import { resolvePodUser, setprivArgv } from '../../../src/executor/containment/identity.js';

const files = {
  passwd: 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nbuild:x:1001:1002::/home/build:/bin/sh\n',
  group: 'root:x:0:\nnogroup:x:65534:\nbuilders:x:1002:\nci:x:3000:\n',
};

describe('pod user', () => {
  const cases: { name: string; spec: string; daemonUid?: number; want: { uid: number; gid: number; home?: string } | undefined }[] = [
    { name: 'default nobody from /etc/passwd', spec: 'nobody', want: { uid: 65534, gid: 65534, home: '/nonexistent' } },
    { name: 'a named user takes its primary group and home', spec: 'build', want: { uid: 1001, gid: 1002, home: '/home/build' } },
    { name: 'USER:GROUP by names', spec: 'build:ci', want: { uid: 1001, gid: 3000 } },
    { name: 'UID:GID by numbers, even unknown to /etc/passwd', spec: '4242:4343', want: { uid: 4242, gid: 4343 } },
    { name: 'root keeps the daemon user', spec: 'root', want: undefined },
    { name: 'uid 0 keeps the daemon user', spec: '0', want: undefined },
    { name: 'a daemon that is not root cannot switch: pods keep its user', spec: 'nobody', daemonUid: 1000, want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const id = resolvePodUser(c.spec, c.daemonUid ?? 0, files);
      if (c.want === undefined) expect(id).toBeUndefined();
      else expect(id).toMatchObject(c.want);
    });
  }

  it('nobody missing from /etc/passwd is still 65534', () => {
    expect(resolvePodUser('nobody', 0, { passwd: 'root:x:0:0::/root:/bin/sh\n', group: '' })).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('an unknown user or group is a usage error, not a silent root pod', () => {
    expect(() => resolvePodUser('ghost', 0, files)).toThrow(/no user "ghost"/);
    expect(() => resolvePodUser('build:ghosts', 0, files)).toThrow(/no group "ghosts"/);
  });

  it('setpriv drops groups, every capability and sets no_new_privs', () => {
    expect(setprivArgv('/usr/bin/setpriv', { uid: 65534, gid: 65534, name: 'nobody', home: '/' })).toEqual([
      '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--',
    ]);
  });
});
