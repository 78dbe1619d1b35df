// Convenience factory holding the settings shared by every client of one cluster (bootstrap servers, client id,
// timeouts...): `new Kafka({ bootstrapServers }).producer({ acks: 'all' })`. Role-specific options given to
// producer()/consumer()/admin() override the shared ones; both spellings (camelCase, dotted) are accepted.
import type { RawConfig } from './config.js';
import { Producer, type ProducerOptions } from './producer.js';
import { Consumer, type ConsumerOptions } from './consumer.js';
import { Admin, type AdminOptions } from './admin.js';

export class Kafka {
  constructor(private readonly common: RawConfig) {}

  producer<K = Buffer | string, V = Buffer | string>(options: ProducerOptions<K, V> | RawConfig = {}): Producer<K, V> {
    return new Producer<K, V>({ ...this.common, ...(options as RawConfig) });
  }

  consumer<K = Buffer, V = Buffer>(options: ConsumerOptions<K, V> | RawConfig = {}): Consumer<K, V> {
    return new Consumer<K, V>({ ...this.common, ...(options as RawConfig) });
  }

  admin(options: AdminOptions | RawConfig = {}): Admin {
    return new Admin({ ...this.common, ...(options as RawConfig) });
  }
}
