// Just enough of the "consumer" embedded protocol (ConsumerProtocolSubscription) to know which topics a group
// consumes: OffsetDelete refuses to delete offsets of subscribed topics (GROUP_SUBSCRIBED_TO_TOPIC) and offset
// expiry spares them, as Kafka does. Decoded with the codec generated from Kafka's own schema.
import { Reader } from '../protocol/primitives/reader.js';
import { decodeConsumerProtocolSubscription } from '../protocol/generated/messages/consumer-protocol-subscription.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Highest subscription version whose layout we know; newer versions only append fields, which we ignore. */
const MAX_KNOWN_VERSION = 3;

/** Topics named in a subscription, or null when the bytes are not a readable ConsumerProtocolSubscription. */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    const version = r.readInt16();
    if (version < 0) return null;
    return decodeConsumerProtocolSubscription(r, Math.min(version, MAX_KNOWN_VERSION)).topics;
  } catch {
    // Any decode failure (ProtocolError) means the member sent bytes we cannot read: treat as "unknown".
    return null;
  }
}
