/**
 * `tributary cluster info`: cluster id, controller, brokers and topic count.
 */
import { Command } from 'commander';
import { type ConnectionFlags, withConnectionOptions } from '../common/connection.ts';
import { emit, pairs, table } from '../common/output.ts';
import { run, withSession } from '../common/run.ts';

/** Builds the `cluster` subcommand. */
export function clusterCommand(): Command {
  const cmd = new Command('cluster').description('inspect the cluster');
  cmd.addCommand(
    withConnectionOptions(
      new Command('info').description('show the cluster id, controller, brokers and topic count'),
    ).action(
      run(async (flags: ConnectionFlags) =>
        withSession(flags, async (s) => {
          const [c, topics] = await Promise.all([s.admin.describeCluster(), s.admin.listTopics()]);
          const data = {
            clusterId: c.clusterId,
            controllerId: c.controllerId,
            brokers: c.brokers,
            topicCount: topics.length,
          };
          emit(s.format, data, (d) =>
            [
              pairs([
                ['CLUSTER ID', d.clusterId],
                ['CONTROLLER', d.controllerId],
                ['BROKERS', d.brokers.length],
                ['TOPICS', d.topicCount],
              ]),
              table(
                ['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'],
                d.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack, b.nodeId === d.controllerId ? 'yes' : 'no']),
              ),
            ].join('\n'),
          );
          return 0;
        }),
      ),
    ),
  );
  return cmd;
}
