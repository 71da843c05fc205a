// The output layer of the CLI: kubectl-compatible tables, describe text,
// object serialisations and template printers. Everything here is pure.

export { humanDuration, shortHumanDuration, age } from './duration.js';
export { rfc3339, rfc1123z } from './time.js';
export { toJobObject, toPodObject, toEventObject, toList, eventName } from './objects.js';
export { formatJson, formatYaml } from './format.js';
export { printJobsTable, jobStatusColumn, jobCompletionsColumn, jobDurationColumn, type JobRow } from './jobs-table.js';
export { printPodsTable, podColumns, type PodTableOptions } from './pods-table.js';
export { printEventsTable, sortEvents } from './events-table.js';
export { printName } from './name.js';
export { noResourcesFound, formatLabels, type TableOptions } from './table.js';
export { describeJob, provenanceLines, type DescribeJobInput } from './describe-job.js';
export { describePod, type DescribePodInput } from './describe-pod.js';
export { parseJsonPath, executeJsonPath, findJsonPathResults, type Template, type JsonPathOptions } from './jsonpath.js';
export { printCustomColumns, parseCustomColumns } from './custom-columns.js';
export { executeGoTemplate } from './go-template.js';
