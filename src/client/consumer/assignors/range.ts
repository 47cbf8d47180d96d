/**
 * Kafka's RangeAssignor: per topic, the subscribed members in order each get
 * a contiguous range of partitions; the first `partitions % members` get one
 * extra. Eager only.
 */
import { type Assignor, type AssignorMember, emptyAssignment, sortMembers } from './assignor.ts';

export const rangeAssignor: Assignor = {
  name: 'range',
  cooperative: false,
  assign(partitionsPerTopic, members) {
    const out = emptyAssignment(members);
    for (const [topic, count] of [...partitionsPerTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const subscribed = sortMembers(members.filter((m: AssignorMember) => m.topics.includes(topic)));
      if (subscribed.length === 0) continue;
      const per = Math.floor(count / subscribed.length);
      const extra = count % subscribed.length;
      subscribed.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        const list = out.get(m.memberId);
        for (let p = start; p < start + length; p++) list?.push({ topic, partition: p });
      });
    }
    return out;
  },
};
