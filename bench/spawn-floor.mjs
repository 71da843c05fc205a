// The floor under any runner written in Node: a bare Node process starting
// N `true` processes, P at a time, with child_process.spawn as the fork server
// does (detached, output to a file). gitjobs adds a supervisor, a cgroup, a log,
// records and SQLite to each; this shows what is left once those are gone.
// usage: node bench/spawn-floor.mjs N P
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

const n = Number(process.argv[2] ?? 2000);
const p = Number(process.argv[3] ?? 8);
const out = openSync('/dev/null', 'a');
let started = 0;
let running = 0;
function next() {
  while (running < p && started < n) {
    started++;
    running++;
    spawn('true', [], { detached: true, stdio: ['ignore', out, out] }).once('exit', () => {
      running--;
      next();
    });
  }
}
next();
