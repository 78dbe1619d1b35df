// Public surface of the group coordinator (see docs/coordinator.md).
export { GroupCoordinator, type GroupCoordinatorOptions, type RequestContext, type TopicMetadataView, type CoordinatorNode } from './coordinator.js';
export { DEFAULT_GROUP_COORDINATOR_CONFIG, groupCoordinatorConfigFrom, type GroupCoordinatorConfig } from './config.js';
export { InMemoryOffsetsTopic, readOffsetsPartition, type OffsetsTopic } from './offsets-log.js';
export { GROUP_METADATA_TOPIC_NAME, javaStringHashCode, partitionForGroup } from './partitioning.js';
export { ManualScheduler, systemScheduler, type Scheduler, type TimerHandle } from './scheduler.js';
export * as offsetsTopicRecords from './records.js';
