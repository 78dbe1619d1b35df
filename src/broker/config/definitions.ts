// The broker and topic configuration keys Gregor understands, with Apache Kafka's names, types and defaults.
// One table drives parsing (server.properties / --override), validation at start-up, DescribeConfigs output
// (defaults, sources, synonyms) and AlterConfigs validation, so the three can never disagree.

export type ConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password' | 'class';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default rendered as Kafka renders it; null = no default (unset). */
  default: string | null;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Broker configs that may be changed at runtime with AlterConfigs (Kafka's "dynamic" configs). */
  dynamic?: boolean;
  sensitive?: boolean;
  doc?: string;
}

const LONG_MAX = '9223372036854775807';
const INT_MAX = '2147483647';

const FLUSH_BEFORE_ACK_DOC =
  'Gregor extension: when true, appended batches are fdatasync-ed before the produce is acknowledged ' +
  '(concurrent appends to a partition share one fdatasync). Not a Kafka config.';

function def(name: string, type: ConfigType, dflt: string | null, extra: Partial<ConfigDef> = {}): ConfigDef {
  return { name, type, default: dflt, ...extra };
}

/** Broker (server.properties) configs. Keys Kafka has that Gregor accepts but has no use for on one node are listed
 * too (network/io thread counts, ZooKeeper and KRaft keys...) so a Kafka config file starts without warnings. */
export const BROKER_CONFIGS: readonly ConfigDef[] = [
  def('broker.id', 'int', '-1', { doc: 'Id of this broker; -1 = use node.id, else 0' }),
  def('node.id', 'int', '-1'),
  def('process.roles', 'list', ''),
  def('controller.quorum.voters', 'list', ''),
  def('controller.quorum.bootstrap.servers', 'list', ''),
  def('controller.listener.names', 'string', null),
  def('listeners', 'list', 'PLAINTEXT://:9092'),
  def('advertised.listeners', 'list', null),
  def('listener.security.protocol.map', 'string', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'),
  def('inter.broker.listener.name', 'string', null),
  def('security.inter.broker.protocol', 'string', 'PLAINTEXT'),
  def('host.name', 'string', ''),
  def('port', 'int', '9092'),
  // Gregor's one deliberate default change: data lives in ./data (Kafka: /tmp/kafka-logs), so `npm start` keeps it.
  def('log.dir', 'string', './data'),
  def('log.dirs', 'list', null),
  def('num.partitions', 'int', '1', { min: 1 }),
  def('default.replication.factor', 'int', '1', { min: 1 }),
  def('auto.create.topics.enable', 'boolean', 'true'),
  def('delete.topic.enable', 'boolean', 'true'),
  def('auto.leader.rebalance.enable', 'boolean', 'true'),
  def('log.retention.hours', 'int', '168'),
  def('log.retention.minutes', 'int', null),
  def('log.retention.ms', 'long', null, { dynamic: true }),
  def('log.retention.bytes', 'long', '-1', { dynamic: true }),
  def('log.retention.check.interval.ms', 'long', '300000', { min: 1 }),
  def('log.segment.bytes', 'int', '1073741824', { min: 14, dynamic: true }),
  def('log.roll.hours', 'int', '168', { min: 1 }),
  def('log.roll.ms', 'long', null, { dynamic: true }),
  def('log.roll.jitter.hours', 'int', '0', { min: 0 }),
  def('log.roll.jitter.ms', 'long', null, { dynamic: true }),
  def('log.segment.delete.delay.ms', 'long', '60000', { min: 0, dynamic: true }),
  def('log.flush.interval.messages', 'long', LONG_MAX, { min: 1, dynamic: true }),
  def('log.flush.interval.ms', 'long', null, { dynamic: true }),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX),
  def('log.flush.offset.checkpoint.interval.ms', 'int', '60000', { min: 0 }),
  def('log.flush.start.offset.checkpoint.interval.ms', 'int', '60000', { min: 0 }),
  // Gregor extension (Kafka has no such key): fdatasync a partition's appended batches before the append is
  // acknowledged. Concurrent appends to one partition share one fdatasync (group commit), so this costs far less
  // than log.flush.interval.messages=1 under load. Default of topic flush.before.ack.
  def('log.flush.before.ack', 'boolean', 'false', { dynamic: true, doc: FLUSH_BEFORE_ACK_DOC }),
  def('log.index.size.max.bytes', 'int', '10485760', { min: 4, dynamic: true }),
  def('log.index.interval.bytes', 'int', '4096', { min: 0, dynamic: true }),
  def('log.preallocate', 'boolean', 'false', { dynamic: true }),
  def('log.cleanup.policy', 'list', 'delete', { dynamic: true }),
  def('log.cleaner.enable', 'boolean', 'true'),
  def('log.cleaner.threads', 'int', '1', { min: 0 }),
  def('log.cleaner.dedupe.buffer.size', 'long', '134217728'),
  def('log.cleaner.io.buffer.size', 'int', '524288'),
  def('log.cleaner.backoff.ms', 'long', '15000'),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', { min: 0, dynamic: true }),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', { min: 0, dynamic: true }),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX, { min: 1, dynamic: true }),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', { min: 0, max: 1, dynamic: true }),
  def('log.message.timestamp.type', 'string', 'CreateTime', { choices: ['CreateTime', 'LogAppendTime'], dynamic: true }),
  def('log.message.timestamp.difference.max.ms', 'long', LONG_MAX, { min: 0, dynamic: true }),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX, { min: 0, dynamic: true }),
  def('log.message.timestamp.after.max.ms', 'long', LONG_MAX, { min: 0, dynamic: true }),
  def('log.message.downconversion.enable', 'boolean', 'true', { dynamic: true }),
  def('message.max.bytes', 'int', '1048588', { min: 0, dynamic: true }),
  def('compression.type', 'string', 'producer', {
    choices: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    dynamic: true,
  }),
  def('min.insync.replicas', 'int', '1', { min: 1, dynamic: true }),
  def('unclean.leader.election.enable', 'boolean', 'false', { dynamic: true }),
  def('socket.request.max.bytes', 'int', '104857600', { min: 1 }),
  def('socket.send.buffer.bytes', 'int', '102400'),
  def('socket.receive.buffer.bytes', 'int', '102400'),
  def('socket.listen.backlog.size', 'int', '50', { min: 1 }),
  def('num.network.threads', 'int', '3', { min: 1 }),
  def('num.io.threads', 'int', '8', { min: 1 }),
  def('num.recovery.threads.per.data.dir', 'int', '1', { min: 1 }),
  def('num.replica.fetchers', 'int', '1'),
  def('background.threads', 'int', '10', { min: 1 }),
  def('queued.max.requests', 'int', '500', { min: 1 }),
  def('queued.max.request.bytes', 'long', '-1'),
  def('max.connections', 'int', INT_MAX, { min: 0, dynamic: true }),
  def('max.connections.per.ip', 'int', INT_MAX, { min: 0, dynamic: true }),
  def('connections.max.idle.ms', 'long', '600000'),
  def('request.timeout.ms', 'int', '30000'),
  def('fetch.max.bytes', 'int', '57671680', { min: 1024 }),
  def('max.incremental.fetch.session.cache.slots', 'int', '1000', { min: 0 }),
  def('fetch.purgatory.purge.interval.requests', 'int', '1000'),
  def('producer.purgatory.purge.interval.requests', 'int', '1000'),
  def('replica.lag.time.max.ms', 'long', '30000'),
  def('replica.fetch.max.bytes', 'int', '1048576'),
  def('replica.fetch.wait.max.ms', 'int', '500'),
  def('replica.socket.timeout.ms', 'int', '30000'),
  def('replica.high.watermark.checkpoint.interval.ms', 'long', '5000'),
  def('controlled.shutdown.enable', 'boolean', 'true'),
  def('controlled.shutdown.max.retries', 'int', '3'),
  def('zookeeper.connect', 'string', null),
  def('zookeeper.connection.timeout.ms', 'int', null),
  def('zookeeper.session.timeout.ms', 'int', '18000'),
  def('zookeeper.set.acl', 'boolean', 'false'),
  def('group.initial.rebalance.delay.ms', 'int', '3000', { min: 0 }),
  def('group.min.session.timeout.ms', 'int', '6000'),
  def('group.max.session.timeout.ms', 'int', '1800000'),
  def('group.max.size', 'int', INT_MAX, { min: 1 }),
  // KIP-848 consumer group protocol (read by the group coordinator).
  def('group.consumer.session.timeout.ms', 'int', '45000', { min: 1 }),
  def('group.consumer.heartbeat.interval.ms', 'int', '5000', { min: 1 }),
  def('group.consumer.max.size', 'int', INT_MAX, { min: 1 }),
  def('group.consumer.min.session.timeout.ms', 'int', '45000', { min: 1 }),
  def('group.consumer.max.session.timeout.ms', 'int', '60000', { min: 1 }),
  def('group.consumer.min.heartbeat.interval.ms', 'int', '5000', { min: 1 }),
  def('group.consumer.max.heartbeat.interval.ms', 'int', '15000', { min: 1 }),
  def('group.consumer.assignors', 'list', 'org.apache.kafka.coordinator.group.assignor.UniformAssignor,org.apache.kafka.coordinator.group.assignor.RangeAssignor'),
  def('offsets.topic.num.partitions', 'int', '50', { min: 1 }),
  def('offsets.topic.replication.factor', 'short', '3', { min: 1 }),
  def('offsets.topic.segment.bytes', 'int', '104857600', { min: 1 }),
  def('offsets.topic.compression.codec', 'int', '0'),
  def('offsets.retention.minutes', 'int', '10080', { min: 1 }),
  def('offsets.retention.check.interval.ms', 'long', '600000', { min: 1 }),
  def('offsets.commit.timeout.ms', 'int', '5000', { min: 1 }),
  def('offsets.load.buffer.size', 'int', '5242880', { min: 1 }),
  def('offset.metadata.max.bytes', 'int', '4096'),
  def('transaction.state.log.num.partitions', 'int', '50', { min: 1 }),
  def('transaction.state.log.replication.factor', 'short', '3', { min: 1 }),
  def('transaction.state.log.min.isr', 'int', '2', { min: 1 }),
  def('transaction.state.log.segment.bytes', 'int', '104857600', { min: 1 }),
  def('transaction.max.timeout.ms', 'int', '900000', { min: 1 }),
  def('transactional.id.expiration.ms', 'int', '604800000', { min: 1 }),
  def('producer.id.expiration.ms', 'int', '86400000', { min: 1 }),
  def('metadata.max.age.ms', 'long', '300000'),
  def('group.coordinator.rebalance.protocols', 'list', 'classic,consumer'),
  def('share.coordinator.state.topic.replication.factor', 'short', '3'),
  def('share.coordinator.state.topic.min.isr', 'short', '2'),
  def('ssl.keystore.password', 'password', null, { sensitive: true }),
  def('sasl.enabled.mechanisms', 'list', 'GSSAPI'),
  def('metric.reporters', 'list', ''),
  def('authorizer.class.name', 'string', ''),
];

/** Topic-level configs and the broker configs that provide their defaults (Kafka's synonyms, most specific first). */
export interface TopicConfigDef extends ConfigDef {
  synonyms: readonly string[];
}

function topic(name: string, type: ConfigType, dflt: string | null, synonyms: string[], extra: Partial<ConfigDef> = {}): TopicConfigDef {
  return { name, type, default: dflt, synonyms, ...extra };
}

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  topic('cleanup.policy', 'list', 'delete', ['log.cleanup.policy'], { choices: ['delete', 'compact'] }),
  topic('compression.type', 'string', 'producer', ['compression.type'], {
    choices: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
  }),
  topic('delete.retention.ms', 'long', '86400000', ['log.cleaner.delete.retention.ms'], { min: 0 }),
  topic('file.delete.delay.ms', 'long', '60000', ['log.segment.delete.delay.ms'], { min: 0 }),
  topic('flush.messages', 'long', LONG_MAX, ['log.flush.interval.messages'], { min: 1 }),
  topic('flush.ms', 'long', LONG_MAX, ['log.flush.interval.ms'], { min: 0 }),
  // Gregor extension, see log.flush.before.ack.
  topic('flush.before.ack', 'boolean', 'false', ['log.flush.before.ack'], { doc: FLUSH_BEFORE_ACK_DOC }),
  topic('index.interval.bytes', 'int', '4096', ['log.index.interval.bytes'], { min: 0 }),
  topic('max.compaction.lag.ms', 'long', LONG_MAX, ['log.cleaner.max.compaction.lag.ms'], { min: 1 }),
  topic('max.message.bytes', 'int', '1048588', ['message.max.bytes'], { min: 0 }),
  topic('message.downconversion.enable', 'boolean', 'true', ['log.message.downconversion.enable']),
  topic('message.timestamp.difference.max.ms', 'long', LONG_MAX, ['log.message.timestamp.difference.max.ms'], { min: 0 }),
  topic('message.timestamp.before.max.ms', 'long', LONG_MAX, ['log.message.timestamp.before.max.ms'], { min: 0 }),
  topic('message.timestamp.after.max.ms', 'long', LONG_MAX, ['log.message.timestamp.after.max.ms'], { min: 0 }),
  topic('message.timestamp.type', 'string', 'CreateTime', ['log.message.timestamp.type'], {
    choices: ['CreateTime', 'LogAppendTime'],
  }),
  topic('min.cleanable.dirty.ratio', 'double', '0.5', ['log.cleaner.min.cleanable.ratio'], { min: 0, max: 1 }),
  topic('min.compaction.lag.ms', 'long', '0', ['log.cleaner.min.compaction.lag.ms'], { min: 0 }),
  topic('min.insync.replicas', 'int', '1', ['min.insync.replicas'], { min: 1 }),
  topic('preallocate', 'boolean', 'false', ['log.preallocate']),
  topic('retention.bytes', 'long', '-1', ['log.retention.bytes']),
  topic('retention.ms', 'long', '604800000', ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], {
    min: -1,
  }),
  topic('segment.bytes', 'int', '1073741824', ['log.segment.bytes'], { min: 14 }),
  topic('segment.index.bytes', 'int', '10485760', ['log.index.size.max.bytes'], { min: 4 }),
  topic('segment.jitter.ms', 'long', '0', ['log.roll.jitter.ms', 'log.roll.jitter.hours'], { min: 0 }),
  topic('segment.ms', 'long', '604800000', ['log.roll.ms', 'log.roll.hours'], { min: 1 }),
  topic('unclean.leader.election.enable', 'boolean', 'false', ['unclean.leader.election.enable']),
];

export const BROKER_CONFIG_BY_NAME: ReadonlyMap<string, ConfigDef> = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));
export const TOPIC_CONFIG_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));
