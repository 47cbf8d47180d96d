/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic, in
 * topic then partition order, goes to the next member in a circle that
 * subscribes to its topic. Eager only.
 */
import { type Assignor, emptyAssignment, sortMembers } from './assignor.ts';

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  cooperative: false,
  assign(partitionsPerTopic, members) {
    const out = emptyAssignment(members);
    const circle = sortMembers(members);
    if (circle.length === 0) return out;
    let next = 0;
    const topics = [...partitionsPerTopic.keys()].sort();
    for (const topic of topics) {
      if (!circle.some((m) => m.topics.includes(topic))) continue;
      const count = partitionsPerTopic.get(topic) ?? 0;
      for (let partition = 0; partition < count; partition++) {
        while (!circle[next % circle.length]?.topics.includes(topic)) next++;
        const m = circle[next % circle.length];
        if (m) out.get(m.memberId)?.push({ topic, partition });
        next++;
      }
    }
    return out;
  },
};
