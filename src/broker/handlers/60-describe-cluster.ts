/**
 * DescribeCluster (key 60), versions 0-1.
 * - The cluster id, this node as the only broker (advertised host and port)
 *   and as the controller.
 * - clusterAuthorizedOperations only when asked (no authorizer: every
 *   cluster operation), otherwise Kafka's "not requested" value.
 * - v1 endpointType: brokers (1) are served; controllers (2) get
 *   MISMATCHED_ENDPOINT_TYPE, anything else UNSUPPORTED_ENDPOINT_TYPE
 *   (INVALID_REQUEST at v0, as Kafka answers).
 * - With an authorizer the bitfield is what the principal may do on the
 *   cluster, 0 without DESCRIBE on it (never an error).
 */
import { ErrorCode } from '../../protocol/index.ts';
import { defineHandler } from '../handler.ts';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acls.ts';
import { authorizationEnabled, authorizeCluster, authorizedOperations } from '../security/authorizer.ts';

const NOT_REQUESTED = -2147483648;
const BROKER_ENDPOINT = 1;
const CONTROLLER_ENDPOINT = 2;
// AclOperation codes: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
// ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, CREATE_TOKENS 13, DESCRIBE_TOKENS 14
const CLUSTER_OPS = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((acc, op) => acc | (1 << op), 0);

export default defineHandler({
  key: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const { broker } = ctx;
    const v = ctx.apiVersion;
    const type = v >= 1 ? req.endpointType : BROKER_ENDPOINT;
    if (type !== BROKER_ENDPOINT) {
      const known = type === CONTROLLER_ENDPOINT;
      return {
        throttleTimeMs: 0,
        errorCode:
          v === 0
            ? ErrorCode.INVALID_REQUEST
            : known
              ? ErrorCode.MISMATCHED_ENDPOINT_TYPE
              : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: known
          ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
          : `Unsupported endpoint type ${type}`,
        clusterId: '',
        brokers: [],
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINT,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, ...broker.endpointFor(ctx.connection.listener), rack: null }],
      clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations
        ? NOT_REQUESTED
        : !authorizationEnabled(broker)
          ? CLUSTER_OPS
          : authorizeCluster(ctx, AclOperation.DESCRIBE)
            ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME)
            : 0,
    };
  },
});
