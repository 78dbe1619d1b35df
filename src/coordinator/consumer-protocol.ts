// Just enough of the "consumer" embedded protocol (ConsumerProtocolSubscription) to know which topics a group
// consumes: OffsetDelete refuses to delete offsets of subscribed topics (GROUP_SUBSCRIBED_TO_TOPIC) and offset
// expiry spares them, as Kafka does. Every version (0-3) starts with int16 version + array of int16-length strings.

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Topics named in a subscription, or null when the bytes are not a readable ConsumerProtocolSubscription. */
export function subscribedTopicsOf(metadata: Buffer): string[] | null {
  try {
    if (metadata.length < 6) return null;
    const version = metadata.readInt16BE(0);
    if (version < 0) return null;
    let pos = 2;
    const count = metadata.readInt32BE(pos);
    pos += 4;
    // Each topic costs at least 2 bytes, so a count beyond that is corrupt, not a reason to allocate.
    if (count < 0 || count > (metadata.length - pos) / 2) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = metadata.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    return null;
  }
}
