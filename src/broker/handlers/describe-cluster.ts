// DescribeCluster: the cluster id, this broker as the only broker and as controller.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './registry.js';

const BROKERS_ENDPOINT = 1;

export default defineHandler({
  apiKey: ApiKeys.DescribeCluster,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const b = ctx.broker;
    const ep = b.endpoint();
    const type = req.endpointType ?? BROKERS_ENDPOINT;
    if (type !== BROKERS_ENDPOINT) {
      return { throttleTimeMs: 0, errorCode: ErrorCodes.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'Only broker endpoints are served', endpointType: type, clusterId: b.topics.clusterId, controllerId: -1, brokers: [], clusterAuthorizedOperations: -2147483648 };
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: BROKERS_ENDPOINT,
      clusterId: b.topics.clusterId,
      controllerId: b.brokerId,
      brokers: [{ brokerId: b.brokerId, host: ep.host, port: ep.port, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    };
  },
});
