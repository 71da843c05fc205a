// `kubectl describe cronjob`, line for line, plus where the CronJob came from.

import type { CronJob, CronJobStatus } from '../../api/cronjob.js';
import type { KubeEvent } from '../../api/types.js';
import { selectorFromLabelSelector } from '../../api/selector.js';
import { writeAnnotations, writeEvents, writeLabels } from './describe-common.js';
import { provenanceLines, writePodTemplate } from './describe-job.js';
import { DescribeWriter } from './describe-writer.js';
import { rfc1123z } from './time.js';

export interface DescribeCronJobInput {
  cronJob: CronJob;
  status: CronJobStatus | undefined;
  events: KubeEvent[];
}

export function describeCronJob(input: DescribeCronJobInput, now: number): string {
  const { cronJob: cj, status, events } = input;
  const spec = cj.spec;
  const t = spec.jobTemplate.spec;
  const w = new DescribeWriter();
  w.write(0, `Name:\t${cj.name}\n`);
  w.write(0, `Namespace:\t${cj.namespace}\n`);
  writeLabels(w, 'Labels', cj.labels);
  writeAnnotations(w, 'Annotations', cj.annotations);
  for (const [label, value] of provenanceLines(cj.origin)) w.write(0, `${label}:\t${value}\n`);
  w.write(0, `Schedule:\t${spec.schedule}\n`);
  w.write(0, `Concurrency Policy:\t${spec.concurrencyPolicy}\n`);
  w.write(0, `Suspend:\t${spec.suspend ? 'True' : 'False'}\n`);
  w.write(0, `Successful Job History Limit:\t${spec.successfulJobsHistoryLimit}\n`);
  w.write(0, `Failed Job History Limit:\t${spec.failedJobsHistoryLimit}\n`);
  w.write(0, `Starting Deadline Seconds:\t${spec.startingDeadlineSeconds === undefined ? '<unset>' : `${spec.startingDeadlineSeconds}s`}\n`);
  w.write(0, `Selector:\t${t.selector === undefined ? '<unset>' : selectorFromLabelSelector(t.selector).toString()}\n`);
  w.write(0, `Parallelism:\t${t.parallelism}\n`);
  w.write(0, `Completions:\t${t.completions ?? '<unset>'}\n`);
  if (t.activeDeadlineSeconds !== undefined) w.write(0, `Active Deadline Seconds:\t${t.activeDeadlineSeconds}s\n`);
  writePodTemplate(w, t.template);
  w.write(0, `Last Schedule Time:\t${status?.lastScheduleTime === undefined ? '<unset>' : rfc1123z(status.lastScheduleTime)}\n`);
  const active = status?.active ?? [];
  w.write(0, `Active Jobs:\t${active.length === 0 ? '<none>' : active.map((a) => a.name).join(', ')}\n`);
  writeEvents(w, events, now);
  return w.toString();
}
