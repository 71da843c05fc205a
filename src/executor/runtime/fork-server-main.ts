import { createInterface } from 'node:readline';
import type { CgroupLayout } from '../containment/cgroups.js';
import { PodCgroups } from '../containment/pod-cgroups.js';
import { DirectSpawner, type StartRequest } from './spawner.js';

// The fork server: a small process the daemon starts once and feeds container
// starts over a pipe (see fork-server.ts). Forking this process costs a
// fraction of forking the daemon, and its mkdirs and cgroup writes run beside
// the daemon's loop instead of inside it.

export interface ForkServerConfig {
  cgroups?: { layout: CgroupLayout; hash: string; podPidsMax: number };
}

type Inbound = { t: 'start'; id: number; req: StartRequest } | { t: 'remove'; podUid: string };

const config = JSON.parse(process.argv[2] ?? '{}') as ForkServerConfig;
const cgroups = config.cgroups === undefined ? undefined : new PodCgroups(config.cgroups.layout, config.cgroups.hash, config.cgroups.podPidsMax);
const spawner = new DirectSpawner(cgroups);
const parent = process.ppid;

// Signals meant for the daemon's terminal are the daemon's to handle: we go when it closes our input.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

function send(msg: object): void {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  // A daemon that died leaves its last requests in the pipe: nobody would
  // record those runs, and the next daemon starts them itself.
  if (process.ppid !== parent) process.exit(0);
  let msg: Inbound;
  try {
    msg = JSON.parse(line) as Inbound;
  } catch {
    return;
  }
  if (msg.t === 'remove') {
    spawner.removeCgroup(msg.podUid, (dir) => send({ t: 'stuck', podUid: msg.podUid, dir }));
    return;
  }
  if (msg.t !== 'start') return;
  const id = msg.id;
  spawner.start(msg.req, {
    started: (run) => send({ t: 'started', id, run }),
    failed: (message) => send({ t: 'failed', id, message }),
    exited: (code) => send({ t: 'exited', id, code: code ?? null }),
  });
});
lines.on('close', () => process.exit(0));
