import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/index.js';

const cron = (spec: string, name = 'nightly'): string => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
${spec}`;

const TEMPLATE = `  jobTemplate:
    metadata:
      labels: {team: build}
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            command: ["true"]
`;

describe('CronJob manifests', () => {
  it('are parsed with Kubernetes defaults, the template as a defaulted Job spec', () => {
    const r = parseManifest(cron(`  schedule: "*/5 * * * *"\n${TEMPLATE}`), 'c.yaml');
    expect(r.issues).toEqual([]);
    expect(r.jobs).toEqual([]);
    const c = r.cronJobs?.[0];
    expect(c?.name).toBe('nightly');
    expect(c?.spec).toMatchObject({
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { labels: { team: 'build' }, spec: { parallelism: 1, completions: 1, backoffLimit: 6 } },
    });
    expect(c?.spec.timeZone).toBeUndefined();
  });

  const refused: Record<string, { yaml: string; field: string; line: number; message: string }> = {
    'an unparseable schedule': {
      yaml: cron(`  schedule: "61 * * * *"\n${TEMPLATE}`),
      field: 'spec.schedule',
      line: 6,
      message: 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    },
    'TZ in the schedule': {
      yaml: cron(`  schedule: "CRON_TZ=UTC * * * * *"\n${TEMPLATE}`),
      field: 'spec.schedule',
      line: 6,
      message: 'Invalid value: "CRON_TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    },
    'no schedule': { yaml: cron(TEMPLATE), field: 'spec.schedule', line: 5, message: 'Required value' },
    'an unknown time zone': {
      yaml: cron(`  schedule: "0 3 * * *"\n  timeZone: Europe/Pariss\n${TEMPLATE}`),
      field: 'spec.timeZone',
      line: 7,
      message: 'Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss',
    },
    'Local as the time zone': {
      yaml: cron(`  schedule: "0 3 * * *"\n  timeZone: Local\n${TEMPLATE}`),
      field: 'spec.timeZone',
      line: 7,
      message: 'Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    },
    'a name longer than 52 characters': {
      yaml: cron(`  schedule: "0 3 * * *"\n${TEMPLATE}`, 'a'.repeat(53)),
      field: 'metadata.name',
      line: 4,
      message: `Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`,
    },
    'an unknown concurrency policy': {
      yaml: cron(`  schedule: "0 3 * * *"\n  concurrencyPolicy: Sometimes\n${TEMPLATE}`),
      field: 'spec.concurrencyPolicy',
      line: 7,
      message: 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    },
    'a negative history limit': {
      yaml: cron(`  schedule: "0 3 * * *"\n  failedJobsHistoryLimit: -1\n${TEMPLATE}`),
      field: 'spec.failedJobsHistoryLimit',
      line: 7,
      message: 'Invalid value: -1: must be greater than or equal to 0',
    },
    'a negative starting deadline': {
      yaml: cron(`  schedule: "0 3 * * *"\n  startingDeadlineSeconds: -5\n${TEMPLATE}`),
      field: 'spec.startingDeadlineSeconds',
      line: 7,
      message: 'Invalid value: -5: must be greater than or equal to 0',
    },
    'a template selector': {
      yaml: cron(`  schedule: "0 3 * * *"\n${TEMPLATE}      selector: {matchLabels: {a: b}}\n`),
      field: 'spec.jobTemplate.spec.selector',
      line: 18,
      message: 'Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
    },
    'the template validated as a Job, at its own path': {
      yaml: cron(`  schedule: "0 3 * * *"\n${TEMPLATE.replace('restartPolicy: Never', 'restartPolicy: Always')}`),
      field: 'spec.jobTemplate.spec.template.spec.restartPolicy',
      line: 13,
      message:
        'Required value: valid values: "OnFailure", "Never"; the pods of a Job must terminate, so Always is not allowed, and Always is what an unset restartPolicy defaults to',
    },
    'an unknown template field': {
      yaml: cron(`  schedule: "0 3 * * *"\n${TEMPLATE}      completion: 3\n`),
      field: 'spec.jobTemplate.spec.completion',
      line: 18,
      message: 'unknown field "spec.jobTemplate.spec.completion" (did you mean "completions"?)',
    },
  };
  it.each(Object.entries(refused))('refuse %s, located', (_name, c) => {
    const r = parseManifest(c.yaml, 'c.yaml');
    expect(r.cronJobs).toBeUndefined();
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => ({ field: i.field, line: i.line, message: i.message }))).toEqual([
      { field: c.field, line: c.line, message: c.message },
    ]);
  });

  it('two CronJobs with one name are both refused', () => {
    const one = cron(`  schedule: "0 3 * * *"\n${TEMPLATE}`);
    const r = parseManifest(`${one}---\n${one}`, 'c.yaml');
    expect(r.cronJobs).toBeUndefined();
    expect(r.issues.map((i) => i.code)).toEqual(['DuplicateJob', 'DuplicateJob']);
  });
});
