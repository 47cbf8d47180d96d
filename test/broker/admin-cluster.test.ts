/**
 * DescribeCluster with @platformatic/kafka's v0/v1 codecs (its Admin has no
 * describeCluster) and raw requests for the endpoint type errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Connection, describeClusterV0, describeClusterV1 } from '@platformatic/kafka';
import { startTestBroker, type TestBroker } from '../helpers/broker.ts';
import { call, cleanupStack } from './admin-wire.ts';

const NOT_REQUESTED = -2147483648;
// CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, CREATE_TOKENS, DESCRIBE_TOKENS
const CLUSTER_OPS = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((acc, op) => acc | (1 << op), 0);

describe('DescribeCluster', () => {
  let tb: TestBroker;
  let conn: Connection;
  const cleanup = cleanupStack(after);
  before(async () => {
    tb = await startTestBroker(cleanup);
    conn = new Connection('admin-cluster');
    await conn.connect('127.0.0.1', tb.port);
    cleanup(() => conn.close());
  });

  test('v1 names this broker as the only broker and the controller', async () => {
    const res = await describeClusterV1.api.async(conn, false, 1);
    assert.deepEqual(res, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: tb.broker.clusterId,
      controllerId: 1,
      brokers: [{ brokerId: 1, host: '127.0.0.1', port: tb.port, rack: null }],
      clusterAuthorizedOperations: NOT_REQUESTED,
    });
    const withOps = await describeClusterV1.api.async(conn, true, 1);
    assert.equal(withOps.clusterAuthorizedOperations, CLUSTER_OPS);
  });

  test('v0 has no endpoint type', async () => {
    const res = await describeClusterV0.api.async(conn, true, 1);
    assert.equal(res.errorCode, 0);
    assert.equal(res.clusterId, tb.broker.clusterId);
    assert.deepEqual(
      res.brokers.map((b) => [b.brokerId, b.port]),
      [[1, tb.port]],
    );
    assert.equal(res.clusterAuthorizedOperations, CLUSTER_OPS);
  });

  test('controller and unknown endpoint types are refused as Kafka refuses them', async () => {
    const controller = await call(tb.port, 60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
    assert.equal(controller.errorCode, 114); // MISMATCHED_ENDPOINT_TYPE
    assert.deepEqual(controller.brokers, []);
    const unknown = await call(tb.port, 60, 1, { includeClusterAuthorizedOperations: false, endpointType: 7 });
    assert.deepEqual([unknown.errorCode, unknown.errorMessage], [115, 'Unsupported endpoint type 7']); // UNSUPPORTED_ENDPOINT_TYPE
  });
});
