import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { procUsage, startBenchDaemon, tempDir } from './lib.mjs';

/**
 * Idle cost of scheduling: a daemon with 1,000 CronJobs (hourly, daily,
 * weekly schedules in several zones) and nothing due during the sample. Each
 * CronJob waits on one timer for its next due time; nothing polls.
 */
export async function cronJobsIdle({ idleSeconds }) {
  const dir = tempDir('gitjobs-bench-cronjobs-');
  const schedules = ['17 * * * *', '5 3 * * *', '40 22 * * 1-5', '0 0 1 * *', '@weekly', '*/30 * * * *'];
  const zones = [undefined, 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
  const docs = [];
  for (let i = 0; i < 1000; i++) {
    const zone = zones[i % zones.length];
    docs.push(`apiVersion: batch/v1
kind: CronJob
metadata:
  name: cron-${i}
spec:
  schedule: "${schedules[i % schedules.length]}"
${zone === undefined ? '' : `  timeZone: ${zone}\n`}  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
            command: ["true"]
`);
  }
  const d = await startBenchDaemon({
    dir,
    // A minute past the hour: the nearest due time (:17, :30) is far beyond the sample.
    env: { GITJOBS_CLOCK_START: '2030-01-01T00:01:00Z' },
  });
  writeFileSync(join(dir, 'jobs', 'cronjobs.yaml'), docs.join('---\n'));
  await d.waitFor((r) => r.msg === 'cronjob created' && r.cronjob === 'default/cron-999', 60_000);
  await sleep(5000);
  const a = procUsage(d.pid);
  await sleep(idleSeconds * 1000);
  const b = procUsage(d.pid);
  await d.stop();
  const cpuPercent = ((b.cpuMs - a.cpuMs) / (idleSeconds * 1000)) * 100;
  return [
    {
      name: 'cronjobs idle',
      what: `daemon with 1,000 CronJobs, nothing due, CPU over ${idleSeconds} s and RSS`,
      baseline: '-',
      baselineMs: undefined,
      gitjobsMs: cpuPercent,
      ratio: undefined,
      detail: `CPU ${cpuPercent.toFixed(2)} %; RSS ${b.rssMb.toFixed(0)} MB`,
      target: 'CPU < 1 %',
      met: cpuPercent < 1,
      command: `npm run bench -- cronjobs-idle --idle-seconds ${idleSeconds}`,
    },
  ];
}
