#!/usr/bin/env node
// Benchmarks that compare gitjobs against a baseline measured in the same run,
// and report medians and ratios. Not part of `npm test`.
//
//   npm run bench                                  throughput, latency, cli, idle, writes (scale is long: ask for it)
//   npm run bench -- throughput --pods 2000 --rounds 3
//   npm run bench -- latency | cli | idle --idle-seconds 60 | cronjobs-idle | writes | scale --completions 100000 | metrics | api | console
//   npm run bench -- --json                        machine-readable
//   npm run bench -- --record                      also append the results to bench/RESULTS.md
import { execSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiBench } from './api.mjs';
import { cliLatency } from './cli.mjs';
import { cronJobsIdle } from './cronjobs-idle.mjs';
import { idle } from './idle.mjs';
import { latency } from './latency.mjs';
import { metrics } from './metrics.mjs';
import { consoleLoad } from './console.mjs';
import { ROOT } from './lib.mjs';
import { scale } from './scale.mjs';
import { throughput } from './throughput.mjs';
import { writes } from './writes.mjs';

const { values, positionals } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    pods: { type: 'string', default: '2000' },
    completions: { type: 'string', default: '100000' },
    'idle-seconds': { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const opts = {
  rounds: Number(values.rounds),
  pods: Number(values.pods),
  completions: Number(values.completions),
  idleSeconds: Number(values['idle-seconds']),
};
const all = { throughput, latency, cli: cliLatency, idle, 'cronjobs-idle': cronJobsIdle, writes, scale, metrics, api: apiBench, console: consoleLoad };
const wanted = positionals.length > 0 ? positionals : ['throughput', 'latency', 'cli', 'idle', 'writes'];
for (const w of wanted) if (!(w in all)) throw new Error(`unknown benchmark ${w}; known: ${Object.keys(all).join(', ')}`);

const results = [];
for (const w of wanted) results.push(...(await all[w](opts)));

const commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const fmt = (ms) => (ms === undefined ? '' : ms < 10 ? ms.toFixed(2) : ms.toFixed(0));

if (values.json) {
  console.log(JSON.stringify({ date: new Date().toISOString(), machine, commit, results }, null, 2));
} else {
  for (const r of results) {
    console.log(`${r.name}: ${r.what}`);
    console.log(`  baseline  ${r.baseline}: ${fmt(r.baselineMs)}`);
    console.log(`  ${(r.label ?? 'gitjobs').padEnd(9)} ${fmt(r.gitjobsMs)}${r.detail ? `  (${r.detail})` : ''}`);
    if (r.ratio !== undefined) console.log(`  ratio     ${r.ratio.toFixed(2)}×`);
    console.log(`  target    ${r.target === undefined ? 'none: a reference' : `${r.target}: ${r.met ? 'met' : 'NOT met'}`}`);
    console.log(`  reproduce ${r.command}`);
  }
}

if (values.record) {
  const rows = results.map(
    (r) => `| ${r.name} | ${r.baseline}: ${fmt(r.baselineMs)} | ${fmt(r.gitjobsMs)}${r.detail ? ` (${r.detail})` : ''} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target === undefined ? 'none: a reference' : `${r.target}: ${r.met ? 'met' : '**not met**'}`} |`,
  );
  appendFileSync(
    join(ROOT, 'bench', 'RESULTS.md'),
    `\n## ${new Date().toISOString().slice(0, 10)} · ${machine} · commit ${commit}\n\nCommand: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`\n\n| benchmark | baseline (ms, or % CPU for idle) | gitjobs | ratio | target |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}
