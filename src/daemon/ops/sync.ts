import type { ControlHandler } from '../control.js';

/** `gitjobs sync`: read the source now; reply once the store has the result. */
export const sync: ControlHandler = async (_req, ctx) => {
  const { revision } = await ctx.source.sync();
  return { source: ctx.source.name, revision };
};
