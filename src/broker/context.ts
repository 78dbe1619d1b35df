// What a request handler can reach: the broker's components and the request's own context. Handlers are plain
// functions (src/broker/handlers/<api>.ts) so each API's logic reads top to bottom in one file.
import type { GroupCoordinator } from '../coordinator/index.js';
import type { RequestHeader } from '../protocol/messages.js';
import type { LogManager } from '../storage/index.js';
import type { BrokerConfig, Listener } from './config/broker-config.js';
import type { FetchSessionCache } from './fetch-sessions.js';
import type { Logger } from './logger.js';
import type { Connection } from './network/connection.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { ReplicaManager } from './replica-manager.js';
import type { TopicManager } from './topic-manager.js';

export interface BrokerServices {
  config: BrokerConfig;
  brokerId: number;
  topics: TopicManager;
  replicas: ReplicaManager;
  logs: LogManager;
  coordinator: GroupCoordinator;
  fetchSessions: FetchSessionCache;
  producerIds: ProducerIdManager;
  log: Logger;
  /** This broker's advertised endpoint (port known after listen). */
  endpoint(): Listener;
  /** True once shutdown began: delayed fetches return at once. */
  shuttingDown(): boolean;
}

export interface RequestContext {
  header: RequestHeader;
  apiVersion: number;
  clientId: string | null;
  /** Peer IP address. */
  clientHost: string;
  connection: Connection | null;
  broker: BrokerServices;
}
