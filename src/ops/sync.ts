import { listSources } from '../store/sources.js';
import type { ControlHandler } from './control.js';

/** `gitjobs sync`: read the source now; reply once the store has the result, with the revision's manifest problems. */
export const sync: ControlHandler = async (_req, ctx) => {
  const { revision } = await ctx.source.sync();
  const record = listSources(ctx.db).find((s) => s.name === ctx.source.name);
  const issues = (record?.issues ?? []).map((i) => ({ ...i, severity: i.severity ?? 'error' }));
  return { source: ctx.source.name, revision, issues };
};
