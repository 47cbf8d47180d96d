/** The classic protocol's client-side assignors by name. */
import type { AssignorName } from '../types.ts';
import type { Assignor } from './assignor.ts';
import { cooperativeStickyAssignor } from './cooperative-sticky.ts';
import { rangeAssignor } from './range.ts';
import { roundRobinAssignor } from './roundrobin.ts';

export { type Assignor, type AssignorMember, sortMembers } from './assignor.ts';
export { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor };

/** The assignors this client ships, by protocol name. */
export const ASSIGNORS: ReadonlyMap<AssignorName, Assignor> = new Map<AssignorName, Assignor>([
  ['range', rangeAssignor],
  ['roundrobin', roundRobinAssignor],
  ['cooperative-sticky', cooperativeStickyAssignor],
]);
