// Every API this broker serves, by API key. ApiVersions advertises exactly this table.
import { registerHandlers, type ApiHandler } from './registry.js';
import alterConfigs from './alter-configs.js';
import apiVersions from './api-versions.js';
import consumerGroupDescribe from './consumer-group-describe.js';
import consumerGroupHeartbeat from './consumer-group-heartbeat.js';
import createPartitions from './create-partitions.js';
import createTopics from './create-topics.js';
import deleteGroups from './delete-groups.js';
import deleteRecords from './delete-records.js';
import deleteTopics from './delete-topics.js';
import describeCluster from './describe-cluster.js';
import describeConfigs from './describe-configs.js';
import describeGroups from './describe-groups.js';
import describeLogDirs from './describe-log-dirs.js';
import describeProducers from './describe-producers.js';
import describeTopicPartitions from './describe-topic-partitions.js';
import fetch from './fetch.js';
import findCoordinator from './find-coordinator.js';
import heartbeat from './heartbeat.js';
import incrementalAlterConfigs from './incremental-alter-configs.js';
import initProducerId from './init-producer-id.js';
import joinGroup from './join-group.js';
import leaveGroup from './leave-group.js';
import listGroups from './list-groups.js';
import listOffsets from './list-offsets.js';
import metadata from './metadata.js';
import offsetCommit from './offset-commit.js';
import offsetDelete from './offset-delete.js';
import offsetFetch from './offset-fetch.js';
import offsetForLeaderEpoch from './offset-for-leader-epoch.js';
import produce from './produce.js';
import syncGroup from './sync-group.js';

const ALL: ApiHandler[] = [
  alterConfigs as unknown as ApiHandler,
  apiVersions as unknown as ApiHandler,
  consumerGroupDescribe as unknown as ApiHandler,
  consumerGroupHeartbeat as unknown as ApiHandler,
  createPartitions as unknown as ApiHandler,
  createTopics as unknown as ApiHandler,
  deleteGroups as unknown as ApiHandler,
  deleteRecords as unknown as ApiHandler,
  deleteTopics as unknown as ApiHandler,
  describeCluster as unknown as ApiHandler,
  describeConfigs as unknown as ApiHandler,
  describeGroups as unknown as ApiHandler,
  describeLogDirs as unknown as ApiHandler,
  describeProducers as unknown as ApiHandler,
  describeTopicPartitions as unknown as ApiHandler,
  fetch as unknown as ApiHandler,
  findCoordinator as unknown as ApiHandler,
  heartbeat as unknown as ApiHandler,
  incrementalAlterConfigs as unknown as ApiHandler,
  initProducerId as unknown as ApiHandler,
  joinGroup as unknown as ApiHandler,
  leaveGroup as unknown as ApiHandler,
  listGroups as unknown as ApiHandler,
  listOffsets as unknown as ApiHandler,
  metadata as unknown as ApiHandler,
  offsetCommit as unknown as ApiHandler,
  offsetDelete as unknown as ApiHandler,
  offsetFetch as unknown as ApiHandler,
  offsetForLeaderEpoch as unknown as ApiHandler,
  produce as unknown as ApiHandler,
  syncGroup as unknown as ApiHandler,
];

export const HANDLERS: ReadonlyMap<number, ApiHandler> = registerHandlers(ALL);
