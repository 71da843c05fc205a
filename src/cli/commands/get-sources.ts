import { sourceObjectName } from '../../api/source-ref.js';
import { listSources, type SourceRecord } from '../../store/sources.js';
import { tabwrite, TABLE_LAYOUT } from '../print/tabwriter.js';
import type { GetKind } from './get-kind.js';

export const sourcesKind: GetKind<SourceRecord> = {
  load: (db, { namespace }) => listSources(db).map((s) => ({ name: sourceObjectName(s.name), namespace: namespace ?? 'default', labels: {}, item: s })),
  table(sources, _now, opts) {
    const lines = opts.noHeaders === true ? [] : ['NAME\tKIND\tURL\tREVISION\tREADY\tMESSAGE'];
    for (const s of sources) lines.push([sourceObjectName(s.name), s.kind, s.url, s.revision ?? '', s.ready ? 'True' : 'False', s.message].join('\t'));
    return tabwrite(lines.join('\n') + '\n', TABLE_LAYOUT);
  },
  uid: (s) => s.url,
};
