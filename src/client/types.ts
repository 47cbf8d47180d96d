/** Types shared by the producer, consumer and admin. */

/** A partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A partition with an offset (and, for commits, optional metadata). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: bigint;
  metadata?: string | null;
}

/** A consumer's group membership, for sendOffsetsToTransaction (Consumer.groupMetadata()). */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** The classic generation id, or the KIP-848 member epoch; -1 outside a group. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}
