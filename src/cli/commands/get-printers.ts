// What `get` needs beyond a plain table: object forms, JSON/YAML, templates,
// custom columns and sorting. Imported only when a flag asks for them, so a
// plain `get jobs` does not pay for loading them.
export { parseCustomColumns, printCustomColumns, type CustomColumn } from '../print/custom-columns.js';
export { executeGoTemplate } from '../print/go-template.js';
export { executeJsonPath, parseJsonPath } from '../print/jsonpath.js';
export { formatJson, formatYaml } from '../print/format.js';
export { toEventObject, toJobObject, toList, toPodObject } from '../print/objects.js';
export { parseCustomColumnsFile, sortRows } from './get-sort.js';
export { sourceObjectName } from '../../api/source-ref.js';
export { toCronJobObject } from '../print/cronjob-object.js';
