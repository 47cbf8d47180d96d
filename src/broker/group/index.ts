/**
 * Consumer group coordinator: classic protocol (JoinGroup/SyncGroup/
 * Heartbeat/LeaveGroup), KIP-848 consumer groups, committed offsets in the
 * compacted `__consumer_offsets` topic. Other code imports this folder only
 * through this file.
 */
export { GroupCoordinator } from './coordinator.ts';
