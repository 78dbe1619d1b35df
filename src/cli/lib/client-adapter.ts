// The one place where the CLI meets the client's Admin: maps src/client's Admin API onto the ClusterAdmin interface
// the commands use, and turns client errors into ClusterError (Kafka error name + the message Kafka's exception
// would carry).
import { Admin } from '../../client/index.js';
import { KafkaError } from '../../client/errors.js';
import { ERROR_INFO } from '../../protocol/generated/error-codes.js';
import { ClusterError, type ClusterAdmin } from './cluster.js';

/** Kafka's exception message for an error code: the broker's own message when it sent one, else the default text. */
export function kafkaMessage(e: KafkaError): string {
  const withBroker = e as KafkaError & { brokerMessage?: string | null };
  if (withBroker.brokerMessage) return withBroker.brokerMessage;
  // KafkaError's message is "NAME: broker message" or just "NAME".
  const prefix = `${e.name}: `;
  if (e.message.startsWith(prefix)) return e.message.slice(prefix.length);
  return ERROR_INFO[e.code]?.message ?? e.message;
}

export function toClusterError(e: unknown): unknown {
  if (e instanceof KafkaError) return new ClusterError(e.name, kafkaMessage(e));
  return e;
}

/** Wraps every method so client errors surface as ClusterError. */
function translated(admin: ClusterAdmin): ClusterAdmin {
  return new Proxy(admin, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (e) {
          throw toClusterError(e);
        }
      };
    },
  });
}

export async function openAdmin(props: Record<string, string>): Promise<ClusterAdmin> {
  return translated(createClusterAdmin(new (Admin as unknown as new (cfg: Record<string, string>) => object)(props)));
}

function createClusterAdmin(_admin: object): ClusterAdmin {
  throw new Error('the admin client is not available yet');
}
