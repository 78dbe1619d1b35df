// Metadata: brokers (just this one), the cluster id, controller (self), and topics with partitions, leader, epoch,
// replicas and ISR. Unknown topics are auto-created when the client allows it and auto.create.topics.enable is on.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type {
  MetadataResponse,
  MetadataResponseMetadataResponseTopic,
} from '../../protocol/generated/messages/metadata-response.js';
import type { BrokerServices } from '../context.js';
import { validateTopicName, type TopicState } from '../topic-manager.js';
import { defineHandler } from './registry.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Kafka reports "authorized operations" as a bit set; without an authorizer everything is allowed. */
const ALL_TOPIC_OPERATIONS = 0b1111_1111_1000; // READ..DESCRIBE_CONFIGS, ALTER_CONFIGS
const OMITTED_OPERATIONS = -2147483648;

export function topicMetadata(b: BrokerServices, st: TopicState, includeOps: boolean): MetadataResponseMetadataResponseTopic {
  return {
    errorCode: ErrorCodes.NONE,
    name: st.record.name,
    topicId: st.record.topicId,
    isInternal: b.topics.isInternal(st.record.name),
    partitions: st.partitions.map((p) => ({
      errorCode: ErrorCodes.NONE,
      partitionIndex: p.index,
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: includeOps ? ALL_TOPIC_OPERATIONS : OMITTED_OPERATIONS,
  };
}

export function brokerList(b: BrokerServices): MetadataResponse['brokers'] {
  const ep = b.endpoint();
  return [{ nodeId: b.brokerId, host: ep.host, port: ep.port, rack: null }];
}

export default defineHandler({
  apiKey: ApiKeys.Metadata,
  minVersion: 0,
  maxVersion: 12,
  async handle(req, ctx) {
    const b = ctx.broker;
    const v = ctx.apiVersion;
    const includeOps = req.includeTopicAuthorizedOperations === true;
    const topics: MetadataResponseMetadataResponseTopic[] = [];
    // v0: an empty list means all topics; v1+: null means all, empty means none.
    const all = req.topics === null || (v === 0 && req.topics.length === 0);
    if (all) {
      for (const st of b.topics.all()) topics.push(topicMetadata(b, st, includeOps));
    } else {
      // Kafka's default for v0-v3 is to allow auto-creation.
      const allowAuto = (req.allowAutoTopicCreation ?? true) && b.config.bool('auto.create.topics.enable');
      for (const t of req.topics!) {
        let name = t.name;
        if (name === null && t.topicId && t.topicId !== ZERO_UUID) {
          const st = b.topics.getById(t.topicId);
          if (!st) {
            topics.push({ errorCode: ErrorCodes.UNKNOWN_TOPIC_ID, name: null, topicId: t.topicId, isInternal: false, partitions: [] });
            continue;
          }
          name = st.record.name;
        }
        if (name === null) {
          topics.push({ errorCode: ErrorCodes.INVALID_REQUEST, name: null, topicId: ZERO_UUID, isInternal: false, partitions: [] });
          continue;
        }
        let st = b.topics.get(name);
        if (!st && allowAuto && !validateTopicName(name) && !b.topics.isInternal(name)) {
          try {
            st = await b.topics.autoCreate(name);
          } catch (e) {
            b.log.warn({ topic: name, err: (e as Error).message }, 'auto-create failed');
          }
        }
        if (!st) {
          const code = validateTopicName(name) ? ErrorCodes.INVALID_TOPIC_EXCEPTION : ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION;
          topics.push({ errorCode: code, name, topicId: ZERO_UUID, isInternal: false, partitions: [] });
          continue;
        }
        topics.push(topicMetadata(b, st, includeOps));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: brokerList(b),
      clusterId: b.topics.clusterId,
      controllerId: b.brokerId,
      topics,
      clusterAuthorizedOperations: OMITTED_OPERATIONS,
    };
  },
});
