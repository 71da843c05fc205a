import { describe, expect, it } from 'vitest';
import { parseManifest, type ManifestIssue } from '../../src/manifest/index.js';

// Each case is a whole manifest; spec lines written by a case start on line 5.
const job = (spec: string, name = 't'): string => `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${name}}\nspec:\n${spec}`;
const pod = (lines = ''): string =>
  `  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n${lines}`;

interface Case {
  yaml: string;
  code: ManifestIssue['code'];
  field: string;
  line: number;
  column?: number;
  /** Exact text, or a fragment of a long Kubernetes message. */
  message: string | { contains: string };
  severity?: 'warning';
}

const cases: Record<string, Case> = {
  'a typo in a field name': {
    yaml: job(`  completion: 3\n${pod()}`),
    code: 'UnknownField', field: 'spec.completion', line: 5, column: 3,
    message: 'unknown field "spec.completion" (did you mean "completions"?)',
  },
  'an unknown field deep in a container': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: t}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        comand: ["true"]\n`,
    code: 'UnknownField', field: 'spec.template.spec.containers[0].comand', line: 11, column: 9,
    message: 'unknown field "spec.template.spec.containers[0].comand" (did you mean "command"?)',
  },
  'negative parallelism': {
    yaml: job(`  parallelism: -1\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.parallelism', line: 5, column: 16,
    message: 'Invalid value: -1: must be greater than or equal to 0',
  },
  'negative completions': {
    yaml: job(`  completions: -2\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.completions', line: 5, column: 16,
    message: 'Invalid value: -2: must be greater than or equal to 0',
  },
  'negative backoff limit': {
    yaml: job(`  backoffLimit: -1\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.backoffLimit', line: 5, column: 17,
    message: 'Invalid value: -1: must be greater than or equal to 0',
  },
  'negative ttlSecondsAfterFinished': {
    yaml: job(`  ttlSecondsAfterFinished: -10\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.ttlSecondsAfterFinished', line: 5, column: 28,
    message: 'Invalid value: -10: must be greater than or equal to 0',
  },
  'negative activeDeadlineSeconds': {
    yaml: job(`  activeDeadlineSeconds: -5\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.activeDeadlineSeconds', line: 5,
    message: 'Invalid value: -5: must be greater than or equal to 0',
  },
  'parallelism written as a string': {
    yaml: job(`  parallelism: "2"\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.parallelism', line: 5, column: 16,
    message: 'Invalid value: "2": must be an integer',
  },
  'a fractional completion count': {
    yaml: job(`  completions: 1.5\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.completions', line: 5,
    message: 'Invalid value: 1.5: must be an integer',
  },
  'a count beyond int32': {
    yaml: job(`  backoffLimit: 3000000000\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.backoffLimit', line: 5,
    message: 'Invalid value: 3000000000: must be a 32-bit integer',
  },
  'suspend that is not a boolean': {
    yaml: job(`  suspend: "yes"\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.suspend', line: 5, column: 12,
    message: 'Invalid value: "yes": must be a boolean',
  },
  'restartPolicy left out': {
    yaml: job(`  template:\n    spec:\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldRequired', field: 'spec.template.spec.restartPolicy', line: 6, column: 5,
    message:
      'Required value: valid values: "OnFailure", "Never"; the pods of a Job must terminate, so Always is not allowed, and Always is what an unset restartPolicy defaults to',
  },
  'restartPolicy Always': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldRequired', field: 'spec.template.spec.restartPolicy', line: 7, column: 22,
    message: { contains: 'Required value: valid values: "OnFailure", "Never"; the pods of a Job must terminate' },
  },
  'an unknown restartPolicy': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Sometimes\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.restartPolicy', line: 7, column: 22,
    message: 'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"',
  },
  'no containers': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n`),
    code: 'FieldRequired', field: 'spec.template.spec.containers', line: 6, column: 5,
    message: 'Required value',
  },
  'a container without command': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n`),
    code: 'FieldRequired', field: 'spec.template.spec.containers[0].command', line: 9, column: 9,
    message: "Required value: pods are host processes, so an image's entrypoint cannot be run; set command to the program to execute",
  },
  'command written as a string': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: echo hi\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].command', line: 11, column: 18,
    message: 'Invalid value: "echo hi": must be a list',
  },
  'a number among args': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: [sleep], args: [1]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].args[0]', line: 8, column: 71,
    message: 'Invalid value: 1: must be a string',
  },
  'a container name that is not a DNS label': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: Web_1, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].name', line: 8, column: 27,
    message: { contains: `Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` },
  },
  'the same container name in initContainers and containers': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      initContainers: [{name: c, image: busybox, command: ["true"]}]\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldDuplicate', field: 'spec.template.spec.containers[0].name', line: 9, column: 27,
    message: 'Duplicate value: "c"',
  },
  'an environment variable name starting with a digit': {
    yaml: job(`${pod().replace('command: ["true"]}', 'command: ["true"], env: [{name: 1ST, value: x}]}')}`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].name', line: 8,
    message: { contains: `Invalid value: "1ST": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit` },
  },
  'an environment variable with both value and valueFrom': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        env:\n        - name: POD\n          value: x\n          valueFrom: {fieldRef: {fieldPath: metadata.name}}\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].valueFrom', line: 15, column: 22,
    message: 'Invalid value: "": may not be specified when `value` is not empty',
  },
  'an environment variable value that is a number': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        env:\n        - name: PORT\n          value: 8080\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].env[0].value', line: 14, column: 18,
    message: 'Invalid value: 8080: must be a string',
  },
  'an unknown completionMode': {
    yaml: job(`  completionMode: Sequential\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.completionMode', line: 5, column: 19,
    message: 'Unsupported value: "Sequential": supported values: "NonIndexed", "Indexed"',
  },
  'an Indexed Job without completions': {
    yaml: job(`  completionMode: Indexed\n  parallelism: 2\n${pod()}`),
    code: 'FieldRequired', field: 'spec.completions', line: 4, column: 1,
    message: 'Required value: when completion mode is Indexed',
  },
  'an Indexed Job whose last pod name is not a DNS label': {
    yaml: job(`  completionMode: Indexed\n  completions: 1000\n${pod()}`, 'a'.repeat(60)),
    code: 'FieldInvalid', field: 'metadata.name', line: 3, column: 18,
    message: `Invalid value: "${'a'.repeat(60)}": will not able to create pod with invalid DNS label: ${'a'.repeat(60)}-999`,
  },
  'backoffLimitPerIndex on a NonIndexed Job': {
    yaml: job(`  backoffLimitPerIndex: 1\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.backoffLimitPerIndex', line: 5, column: 25,
    message: 'Invalid value: 1: requires indexed completion mode',
  },
  'maxFailedIndexes without backoffLimitPerIndex': {
    yaml: job(`  completionMode: Indexed\n  completions: 3\n  maxFailedIndexes: 1\n${pod()}`),
    code: 'FieldRequired', field: 'spec.backoffLimitPerIndex', line: 4, column: 1,
    message: 'Required value: when maxFailedIndexes is specified',
  },
  'more tolerated failed indexes than completions': {
    yaml: job(`  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 4\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.maxFailedIndexes', line: 8, column: 21,
    message: 'Invalid value: 4: must be less than or equal to completions',
  },
  'a selector without manualSelector': {
    yaml: job(`  selector: {matchLabels: {app: x}}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.selector', line: 5, column: 13,
    message: 'Invalid value: {"matchLabels":{"app":"x"}}: `selector` not auto-generated: the selector is generated from the Job\'s uid unless spec.manualSelector is true',
  },
  'manualSelector without a selector': {
    yaml: job(`  manualSelector: true\n${pod()}`),
    code: 'FieldRequired', field: 'spec.selector', line: 4, column: 1,
    message: 'Required value',
  },
  'a manual selector that does not match the template labels': {
    yaml: job(`  manualSelector: true\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: y}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.metadata.labels', line: 8, column: 24,
    message: 'Invalid value: {"app":"y"}: `selector` does not match template `labels`',
  },
  'a controller-uid template label': {
    yaml: job(`  template:\n    metadata: {labels: {controller-uid: abc}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.metadata.labels[controller-uid]', line: 6, column: 41,
    message: 'Invalid value: {"controller-uid":"abc"}: must be the Job\'s uid, which is generated; remove this label',
  },
  'a job-name template label naming another Job': {
    yaml: job(`  template:\n    metadata: {labels: {batch.kubernetes.io/job-name: other}}\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.metadata.labels[batch.kubernetes.io/job-name]', line: 6,
    message: `Invalid value: {"batch.kubernetes.io/job-name":"other"}: must be 't'`,
  },
  'a pod failure policy with restartPolicy OnFailure': {
    yaml: job(`  podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.restartPolicy', line: 8, column: 22,
    message: 'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
  },
  'an unknown pod failure policy action': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - action: Retry\n      onExitCodes: {operator: In, values: [42]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0].action', line: 7, column: 15,
    message: 'Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
  },
  'a pod failure policy rule without action': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - onExitCodes: {operator: In, values: [42]}\n${pod()}`),
    code: 'FieldRequired', field: 'spec.podFailurePolicy.rules[0].action', line: 7, column: 7,
    message: 'Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
  },
  'a pod failure policy rule with both matchers': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onExitCodes: {operator: In, values: [42]}\n      onPodConditions: [{type: DisruptionTarget}]\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0]', line: 7, column: 7,
    message: 'Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
  },
  'exit code 0 with the In operator': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: In, values: [0, 1]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0].onExitCodes.values[0]', line: 8, column: 44,
    message: 'Invalid value: 0: must not be 0 for the In operator',
  },
  'exit codes out of order': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {operator: NotIn, values: [3, 1]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0].onExitCodes.values', line: 8, column: 46,
    message: 'Invalid value: [3,1]: must be ordered',
  },
  'an exit-code rule naming a container that does not exist': {
    yaml: job(`  podFailurePolicy:\n    rules:\n    - action: FailJob\n      onExitCodes: {containerName: main, operator: In, values: [1]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0].onExitCodes.containerName', line: 8, column: 36,
    message: 'Invalid value: "main": must be one of the container or initContainer names in the pod template',
  },
  'a FailIndex rule without backoffLimitPerIndex': {
    yaml: job(`  completionMode: Indexed\n  completions: 2\n  podFailurePolicy:\n    rules:\n    - action: FailIndex\n      onExitCodes: {operator: In, values: [1]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podFailurePolicy.rules[0].action', line: 9, column: 15,
    message: 'Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
  },
  'a success policy on a NonIndexed Job': {
    yaml: job(`  successPolicy: {rules: [{succeededCount: 1}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy', line: 5, column: 18,
    message: 'Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
  },
  'a success policy with no rules': {
    yaml: job(`  completionMode: Indexed\n  completions: 3\n  successPolicy: {rules: []}\n${pod()}`),
    code: 'FieldRequired', field: 'spec.successPolicy.rules', line: 7, column: 26,
    message: 'Required value: at least one rules must be specified when the successPolicy is specified',
  },
  'an index interval with three parts': {
    yaml: job(`  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: "1-2-3"}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededIndexes', line: 7, column: 46,
    message: `Invalid value: "1-2-3": error parsing succeededIndexes: the fragment "1-2-3" violates the requirement that an index interval can have at most two parts separated by '-'`,
  },
  'an index that is not a number': {
    yaml: job(`  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: "0,x"}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededIndexes', line: 7,
    message: 'Invalid value: "0,x": error parsing succeededIndexes: cannot convert string to integer for index: "x"',
  },
  'an index beyond completions': {
    yaml: job(`  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: "2-5"}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededIndexes', line: 7,
    message: 'Invalid value: "2-5": error parsing succeededIndexes: too large index: "5"',
  },
  'indexes out of order': {
    yaml: job(`  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: "3,1"}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededIndexes', line: 7,
    message: 'Invalid value: "3,1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1',
  },
  'a succeeded count above the listed indexes': {
    yaml: job(`  completionMode: Indexed\n  completions: 5\n  successPolicy: {rules: [{succeededIndexes: "0,1", succeededCount: 3}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededCount', line: 7, column: 69,
    message: 'Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
  },
  'a succeeded count above completions': {
    yaml: job(`  completionMode: Indexed\n  completions: 2\n  successPolicy: {rules: [{succeededCount: 3}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.successPolicy.rules[0].succeededCount', line: 7,
    message: 'Invalid value: 3: must be less than or equal to 2 (the number of specified completions)',
  },
  'TerminatingOrFailed together with a pod failure policy': {
    yaml: job(`  podReplacementPolicy: TerminatingOrFailed\n  podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.podReplacementPolicy', line: 5, column: 25,
    message: 'Unsupported value: "TerminatingOrFailed": supported values: "Failed"',
  },
  'managedBy without a domain': {
    yaml: job(`  managedBy: my-controller\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.managedBy', line: 5, column: 14,
    message: 'Invalid value: "my-controller": must be a domain-prefixed path (such as "acme.io/foo")',
  },
  'managedBy over 63 characters': {
    yaml: job(`  managedBy: example.com/${'x'.repeat(60)}\n${pod()}`),
    code: 'FieldInvalid', field: 'spec.managedBy', line: 5,
    message: 'Too long: may not be more than 63 bytes',
  },
  'no name': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata:\n  labels: {app: x}\nspec:\n${pod()}`,
    code: 'FieldRequired', field: 'metadata.name', line: 3, column: 1,
    message: 'Required value: name or generateName is required',
  },
  'a name that is not a DNS subdomain': {
    yaml: job(pod(), 'My_Job'),
    code: 'FieldInvalid', field: 'metadata.name', line: 3, column: 18,
    message: { contains: `Invalid value: "My_Job": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` },
  },
  'a name too long for the job-name label': {
    yaml: job(pod(), 'n'.repeat(64)),
    code: 'FieldInvalid', field: 'metadata.name', line: 3, column: 18,
    message: `Invalid value: "${'n'.repeat(64)}": must be no more than 63 characters: the name is the value of the job-name label of the Job's pods, so Kubernetes rejects longer names through spec.template.metadata.labels`,
  },
  'generateName': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: pi-\nspec:\n${pod()}`,
    code: 'FieldNotSupported', field: 'metadata.generateName', line: 4, column: 3,
    message: 'Forbidden: not supported by gitjobs: a manifest in a repository needs a stable name; set metadata.name',
  },
  'a namespace that is not a DNS label': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: t, namespace: Team.A}\nspec:\n${pod()}`,
    code: 'FieldInvalid', field: 'metadata.namespace', line: 3, column: 32,
    message: { contains: 'Invalid value: "Team.A": a lowercase RFC 1123 label must consist of' },
  },
  'a label value over 63 characters': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: t\n  labels:\n    team: ${'v'.repeat(64)}\nspec:\n${pod()}`,
    code: 'FieldInvalid', field: 'metadata.labels', line: 6, column: 11,
    message: `Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
  },
  'an annotation key with two slashes': {
    yaml: `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: t\n  annotations:\n    a/b/c: x\nspec:\n${pod()}`,
    code: 'FieldInvalid', field: 'metadata.annotations', line: 6, column: 5,
    message: { contains: `Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters` },
  },
  'hostNetwork': {
    yaml: job(pod('      hostNetwork: true\n')),
    code: 'FieldNotSupported', field: 'spec.template.spec.hostNetwork', line: 9, column: 7,
    message: 'Forbidden: not supported by gitjobs: pods are unprivileged host processes; host namespaces cannot be granted to them',
  },
  'a hostPath volume': {
    yaml: job(pod('      volumes: [{name: data, hostPath: {path: /data}}]\n')),
    code: 'FieldNotSupported', field: 'spec.template.spec.volumes[0].hostPath', line: 9, column: 30,
    message: 'Forbidden: not supported by gitjobs: only emptyDir volumes are supported: a fresh directory per pod',
  },
  'a liveness probe': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        livenessProbe: {exec: {command: ["true"]}}\n`),
    code: 'FieldNotSupported', field: 'spec.template.spec.containers[0].livenessProbe', line: 12, column: 9,
    message: 'Forbidden: not supported by gitjobs: gitjobs does not run probes; a started container counts as ready',
  },
  'a privileged container': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        securityContext: {privileged: true}\n`),
    code: 'FieldNotSupported', field: 'spec.template.spec.containers[0].securityContext.privileged', line: 12, column: 27,
    message: 'Forbidden: not supported by gitjobs: a privileged pod would be a privileged host process',
  },
  'lifecycle hooks': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        lifecycle: {preStop: {exec: {command: ["true"]}}}\n`),
    code: 'FieldNotSupported', field: 'spec.template.spec.containers[0].lifecycle', line: 12, column: 9,
    message: 'Forbidden: not supported by gitjobs: postStart and preStop hooks are not run for host processes',
  },
  'envFrom of a ConfigMap that is not optional': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        envFrom: [{configMapRef: {name: cfg}}]\n`),
    code: 'FieldNotSupported', field: 'spec.template.spec.containers[0].envFrom[0].configMapRef', line: 12, column: 34,
    message: 'gitjobs has no ConfigMap objects to read from, so the container could never start; set optional: true to run without it',
  },
  'a volume mount of an undeclared volume': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        volumeMounts: [{name: scratch, mountPath: /scratch}]\n`),
    code: 'FieldNotFound', field: 'spec.template.spec.containers[0].volumeMounts[0].name', line: 12, column: 31,
    message: 'Not found: "scratch"',
  },
  'a mounted volume, which a host process cannot have mounted (warning)': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      volumes: [{name: scratch, emptyDir: {}}]\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        volumeMounts: [{name: scratch, mountPath: /scratch}]\n`),
    code: 'FieldIgnored', field: 'spec.template.spec.containers[0].volumeMounts[0].mountPath', line: 13, severity: 'warning',
    message: 'pods are host processes and nothing can be mounted at "/scratch"; the volume\'s folder is in $GITJOBS_VOLUME_SCRATCH',
  },
  'two mounts at one path': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      volumes: [{name: scratch, emptyDir: {}}]\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        volumeMounts: [{name: scratch, mountPath: /s}, {name: scratch, mountPath: /s}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].volumeMounts[1].mountPath', line: 13,
    message: 'Invalid value: "/s": must be unique',
  },
  'a subPath that climbs out of the volume': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      volumes: [{name: scratch, emptyDir: {}}]\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        volumeMounts: [{name: scratch, mountPath: /s, subPath: a/../..}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].volumeMounts[0].subPath', line: 13,
    message: "Invalid value: \"a/../..\": must not contain '..'",
  },
  'an absolute subPath': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      volumes: [{name: scratch, emptyDir: {}}]\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        volumeMounts: [{name: scratch, mountPath: /s, subPath: /etc}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.containers[0].volumeMounts[0].subPath', line: 13,
    message: 'Invalid value: "/etc": must be a relative path',
  },
  'a ConfigMap reference that is not optional': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: ["true"]\n        env: [{name: X, valueFrom: {configMapKeyRef: {name: settings, key: mode}}}]\n`),
    code: 'FieldNotSupported', field: 'spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef', line: 12,
    message: 'gitjobs has no ConfigMap objects to read from, so the container could never start; set optional: true to run without it',
  },
  'a pod deadline of zero': {
    yaml: job(pod('      activeDeadlineSeconds: 0\n')),
    code: 'FieldInvalid', field: 'spec.template.spec.activeDeadlineSeconds', line: 9, column: 30,
    message: 'Invalid value: 0: must be between 1 and 2147483647, inclusive',
  },
  'a negative grace period': {
    yaml: job(pod('      terminationGracePeriodSeconds: -1\n')),
    code: 'FieldInvalid', field: 'spec.template.spec.terminationGracePeriodSeconds', line: 9, column: 38,
    message: 'Invalid value: -1: must be greater than or equal to 0',
  },
  'restartPolicy on a regular container': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"], restartPolicy: Always}]\n`),
    code: 'FieldForbidden', field: 'spec.template.spec.containers[0].restartPolicy', line: 8,
    message: 'Forbidden: may not be set for non-init containers',
  },
  'an init container restartPolicy other than Always': {
    yaml: job(`  template:\n    spec:\n      restartPolicy: Never\n      initContainers: [{name: i, image: busybox, command: ["true"], restartPolicy: Never}]\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`),
    code: 'FieldInvalid', field: 'spec.template.spec.initContainers[0].restartPolicy', line: 8,
    message: 'Unsupported value: "Never": supported values: "Always"',
  },
  'a Deployment': {
    yaml: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n`,
    code: 'UnsupportedKind', field: 'kind', line: 2, column: 7,
    message: 'Unsupported value: "Deployment": gitjobs runs batch/v1 Job and CronJob objects only',
  },
  'an old Job apiVersion': {
    yaml: `apiVersion: batch/v1beta1\nkind: Job\nmetadata: {name: t}\n`,
    code: 'UnsupportedKind', field: 'apiVersion', line: 1, column: 13,
    message: 'Unsupported value: "batch/v1beta1": supported values: "batch/v1"',
  },
  'a document without kind': {
    yaml: `apiVersion: batch/v1\nmetadata: {name: t}\n`,
    code: 'UnsupportedKind', field: 'kind', line: 1, column: 1,
    message: 'Required value: gitjobs runs batch/v1 Job objects',
  },
  'a name that is a subdomain but not a DNS label (warning)': {
    yaml: job(pod(), 'db.migrate'),
    code: 'NameNotDNSLabel', field: 'metadata.name', line: 3, column: 18, severity: 'warning',
    message: { contains: 'this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [a lowercase RFC 1123 label must consist of' },
  },
};

describe('invalid manifests', () => {
  it('covers at least 40 cases', () => {
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(40);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const r = parseManifest(c.yaml, 'job.yaml');
      const issue = r.issues.find((i) => i.field === c.field && i.code === c.code);
      expect(issue, JSON.stringify(r.issues, null, 2)).toBeDefined();
      if (issue === undefined) return;
      expect(issue.severity).toBe(c.severity ?? 'error');
      expect(issue.file).toBe('job.yaml');
      expect(issue.line).toBe(c.line);
      if (c.column !== undefined) expect(issue.column).toBe(c.column);
      if (typeof c.message === 'string') expect(issue.message).toBe(c.message);
      else expect(issue.message).toContain(c.message.contains);
      // An error keeps the Job out; a warning alone does not.
      expect(r.jobs).toHaveLength(c.severity === 'warning' ? 1 : 0);
    });
  }
});
