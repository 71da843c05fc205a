// `kubectl describe job`, line for line, plus where the Job came from.

import type { Job, JobOrigin, JobStatus, KubeEvent, Pod } from '../../api/types.js';
import { selectorFromLabelSelector } from '../../api/selector.js';
import { writeAnnotations, writeContainers, writeEvents, writeLabels, writeVolumes } from './describe-common.js';
import { DescribeWriter } from './describe-writer.js';
import { humanDuration } from './duration.js';
import { rfc1123z } from './time.js';

export interface DescribeJobInput {
  job: Job;
  status: JobStatus | undefined;
  /** Accepted for callers that have them; kubectl's Job description does not list pods. */
  pods?: Pod[];
  events: KubeEvent[];
  /** Defaults to the Job's own origin. */
  origin?: JobOrigin;
  /** Further provenance lines (e.g. commit author and subject), printed after the origin's. */
  provenance?: [label: string, value: string][];
}

/** The provenance lines gitjobs adds after Annotations; only fields that are known. */
export function provenanceLines(origin: JobOrigin | undefined): [string, string][] {
  if (origin === undefined) return [];
  const lines: [string, string][] = [];
  if (origin.source !== '') lines.push(['Source', origin.source]);
  if (origin.path !== undefined && origin.path !== '') {
    lines.push(['Path', origin.line === undefined ? origin.path : `${origin.path}:${origin.line}`]);
  }
  if (origin.revision !== undefined && origin.revision !== '') lines.push(['Revision', origin.revision]);
  return lines;
}

/** capIndexesListOrNone: long index lists are cut at the first comma after 50 characters. */
export function capIndexes(indexes: string, softLimit = 50): string {
  if (indexes === '') return '<none>';
  const cut = indexes.indexOf(',', softLimit);
  return cut === -1 ? indexes : indexes.slice(0, cut + 1) + '...';
}

function selectorText(job: Job): string {
  if (job.spec.selector === undefined) return '';
  try {
    return selectorFromLabelSelector(job.spec.selector).toString();
  } catch (err) {
    return `Failed to get selector: ${(err as Error).message}`;
  }
}

export function describeJob(input: DescribeJobInput, now: number): string {
  const { job, status, events } = input;
  const spec = job.spec;
  const w = new DescribeWriter();
  w.write(0, `Name:\t${job.name}\n`);
  w.write(0, `Namespace:\t${job.namespace}\n`);
  w.write(0, `Selector:\t${selectorText(job)}\n`);
  writeLabels(w, 'Labels', job.labels);
  writeAnnotations(w, 'Annotations', job.annotations);
  for (const [label, value] of [...provenanceLines(input.origin ?? job.origin), ...(input.provenance ?? [])]) {
    w.write(0, `${label}:\t${value}\n`);
  }
  w.write(0, `Parallelism:\t${spec.parallelism}\n`);
  w.write(0, `Completions:\t${spec.completions ?? '<unset>'}\n`);
  w.write(0, `Completion Mode:\t${spec.completionMode}\n`);
  w.write(0, `Suspend:\t${spec.suspend}\n`);
  w.write(0, `Backoff Limit:\t${spec.backoffLimit}\n`);
  if (spec.ttlSecondsAfterFinished !== undefined) {
    w.write(0, `TTL Seconds After Finished:\t${spec.ttlSecondsAfterFinished}\n`);
  }
  if (status?.startTime !== undefined) w.write(0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  if (status?.completionTime !== undefined) w.write(0, `Completed At:\t${rfc1123z(status.completionTime)}\n`);
  if (status?.startTime !== undefined && status.completionTime !== undefined) {
    w.write(0, `Duration:\t${humanDuration(status.completionTime - status.startTime)}\n`);
  }
  if (spec.activeDeadlineSeconds !== undefined) w.write(0, `Active Deadline Seconds:\t${spec.activeDeadlineSeconds}s\n`);
  if (status === undefined) {
    // Before the first sync `ready` is unset, and kubectl leaves it out.
    w.write(0, 'Pods Statuses:\t0 Active / 0 Succeeded / 0 Failed\n');
  } else {
    w.write(
      0,
      `Pods Statuses:\t${status.active} Active (${status.ready} Ready) / ${status.succeeded} Succeeded / ${status.failed} Failed\n`,
    );
  }
  if (spec.completionMode === 'Indexed') w.write(0, `Completed Indexes:\t${capIndexes(status?.completedIndexes ?? '')}\n`);

  writePodTemplate(w, spec.template);
  writeEvents(w, events, now);
  return w.toString();
}

/** kubectl's DescribePodTemplate, shared with `describe cronjob`. */
export function writePodTemplate(w: DescribeWriter, template: Job['spec']['template']): void {
  w.write(0, 'Pod Template:\n');
  writeLabels(w, '  Labels', template.metadata.labels);
  if (Object.keys(template.metadata.annotations).length > 0) writeAnnotations(w, '  Annotations', template.metadata.annotations);
  if (template.spec.serviceAccountName !== undefined && template.spec.serviceAccountName !== '') {
    w.write(1, `Service Account:\t${template.spec.serviceAccountName}\n`);
  }
  if (template.spec.initContainers.length > 0) {
    writeContainers(w, 'Init Containers', template.spec.initContainers, undefined, '  ');
  }
  writeContainers(w, 'Containers', template.spec.containers, undefined, '  ');
  writeVolumes(w, template.spec.volumes, '  ');
  writeLabels(w, '  Node-Selectors', template.spec.nodeSelector);
  w.write(0, '  Tolerations:\t<none>\n');
}
