/**
 * DescribeLogDirs (key 35), versions 0-4.
 * - One log dir: `<data dir>/logs`, reported by its absolute path.
 * - Topics null means every partition; otherwise the partitions asked for,
 *   leaving out the ones this broker does not have (as Kafka does) and
 *   topics left with none.
 * - Per partition: its size on disk, offset lag 0 (it is the leader) and
 *   isFutureKey false (no replica moves between dirs).
 * - v4: total and usable bytes of the file system holding the dir; when it
 *   cannot be measured the dir reports KAFKA_STORAGE_ERROR.
 * - Authorization (when on): DESCRIBE on the cluster, else
 *   CLUSTER_AUTHORIZATION_FAILED and no dirs.
 */
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ErrorCode,
  type Input,
  type DescribeLogDirsResponseDescribeLogDirsTopic as TopicOut,
} from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation } from '../security/acls.ts';
import { authorizeCluster } from '../security/authorizer.ts';

export default defineHandler({
  key: 35,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, req) {
    const { broker } = ctx;
    if (!authorizeCluster(ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    }
    const logDir = resolve(join(broker.dataDir, 'logs'));
    const wanted = new Map<string, Set<number>>();
    if (req.topics === null) {
      for (const t of broker.metadata.topicsByName.values()) {
        wanted.set(t.name, new Set(Array.from({ length: t.partitions }, (_, p) => p)));
      }
    } else {
      for (const t of req.topics) {
        const set = wanted.get(t.topic) ?? new Set<number>();
        for (const p of t.partitions) set.add(p);
        wanted.set(t.topic, set);
      }
    }
    const topics: Input<TopicOut>[] = [];
    for (const [name, parts] of wanted) {
      const partitions = [...parts]
        .sort((a, b) => a - b)
        .flatMap((p) => {
          const log = broker.log(name, p);
          if (!log) return [];
          return [{ partitionIndex: p, partitionSize: BigInt(log.sizeInBytes()), offsetLag: 0n, isFutureKey: false }];
        });
      if (partitions.length > 0) topics.push({ name, partitions });
    }
    let totalBytes = -1n;
    let usableBytes = -1n;
    try {
      // the dir appears with the first topic; until then measure the data dir
      const fs = await statfs(logDir, { bigint: true }).catch(() => statfs(broker.dataDir, { bigint: true }));
      totalBytes = fs.blocks * fs.bsize;
      usableBytes = fs.bavail * fs.bsize;
    } catch (err) {
      broker.logger.warn({ err, logDir }, 'cannot measure the log dir');
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        results: [{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [] }],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir, topics, totalBytes, usableBytes }],
    };
  },
});
