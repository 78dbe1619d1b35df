// Public entry point of Gregor's TypeScript client. See docs/client.md.
export { Kafka } from './kafka.js';
export { Producer } from './producer.js';
export type { ProducerRecord, ProducerOptions, ProducerInterceptor, PartitionInfo, HeadersInput, RecordMetadata } from './producer.js';
export { Consumer } from './consumer.js';
export type { ConsumerOptions, ConsumerRecord, ConsumerRecords, ConsumerRebalanceListener, ConsumerInterceptor, OffsetCommitCallback } from './consumer.js';
export { Admin } from './admin.js';
export type * from './admin.js';
export { loadProperties, parseProperties, knownProperties, camelName } from './config.js';
export * from './serdes.js';
export * from './errors.js';
export { CommitFailedError } from './group-offsets.js';
export type { TopicPartition, TopicPartitionOffset } from './types.js';
export { murmur2, toPositive, partitionForKey } from './murmur2.js';
export { DefaultPartitioner, RoundRobinPartitioner, UniformStickyPartitioner, createPartitioner } from './partitioner.js';
export type { Partitioner, PartitionerFunction, PartitionerContext } from './partitioner.js';
export { RangeAssignor, RoundRobinAssignor, StickyAssignor, CooperativeStickyAssignor } from './assignors.js';
export type { Assignor, MemberSubscription } from './assignors.js';
