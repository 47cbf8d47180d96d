/**
 * ListGroups (key 16), versions 0-5.
 * - Every group of this coordinator with its protocol type; v4+ also its
 *   state and an optional state filter (case-insensitive, e.g. "Stable",
 *   "empty"); v5+ its type ("classic") and a type filter.
 * - COORDINATOR_LOAD_IN_PROGRESS while groups load.
 */
import { defineHandler } from '../handler.ts';

export default defineHandler({
  key: 16,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, req) {
    const v = ctx.apiVersion;
    const r = ctx.broker.groups.listGroups(v >= 4 ? req.statesFilter : [], v >= 5 ? req.typesFilter : []);
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
  },
});
