/**
 * describeCluster: DescribeCluster where the broker serves it (KIP-700),
 * Metadata without topics otherwise.
 */
import type { BrokerInfo, Cluster } from '../cluster.ts';
import { ApiKey } from '../versions.ts';
import { errorFor, supports } from './request.ts';

/** The cluster as one broker sees it. */
export interface ClusterDescription {
  clusterId: string | null;
  /** -1 when unknown. */
  controllerId: number;
  brokers: BrokerInfo[];
}

/** Describes the cluster: id, controller and brokers (sorted by node id). */
export function describeCluster(cluster: Cluster): Promise<ClusterDescription> {
  return cluster.retry(async () => {
    const conn = await cluster.anyConnection();
    if (supports(conn, ApiKey.DescribeCluster)) {
      const res = await conn.request(ApiKey.DescribeCluster, {
        includeClusterAuthorizedOperations: false,
        endpointType: 1,
      });
      const err = errorFor(res.errorCode, 'DescribeCluster', res.errorMessage);
      if (err) throw err;
      return {
        clusterId: res.clusterId,
        controllerId: res.controllerId,
        brokers: res.brokers
          .map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }))
          .sort((a, b) => a.nodeId - b.nodeId),
      };
    }
    const res = await conn.request(ApiKey.Metadata, { topics: [], allowAutoTopicCreation: false });
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers
        .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }))
        .sort((a, b) => a.nodeId - b.nodeId),
    };
  });
}
