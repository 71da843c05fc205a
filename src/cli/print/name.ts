// `-o name`: `<resource>.<group>/<name>`, the form kubectl commands accept back.

const RESOURCE: Record<string, string> = { Job: 'job.batch', Pod: 'pod', Event: 'event' };

export function printName(kind: 'Job' | 'Pod' | 'Event', items: { name: string }[]): string {
  const resource = RESOURCE[kind] ?? kind.toLowerCase();
  return items.map((i) => `${resource}/${i.name}\n`).join('');
}
