// Which __consumer_offsets partition owns a group: Kafka's Utils.abs(groupId.hashCode) % numPartitions, where
// hashCode is Java's String.hashCode over UTF-16 code units and Utils.abs masks the sign bit (so
// Integer.MIN_VALUE maps to 0 rather than staying negative). Tools that read __consumer_offsets rely on this.

export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function partitionForGroup(groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}
