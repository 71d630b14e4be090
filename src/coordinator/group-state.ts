// Classic group states, with the names Kafka shows in DescribeGroups/ListGroups.
export const GroupState = {
  EMPTY: 'Empty',
  PREPARING_REBALANCE: 'PreparingRebalance',
  COMPLETING_REBALANCE: 'CompletingRebalance',
  STABLE: 'Stable',
  DEAD: 'Dead',
} as const
export type GroupState = (typeof GroupState)[keyof typeof GroupState]

const validPreviousStates: Record<GroupState, readonly GroupState[]> = {
  [GroupState.EMPTY]: [GroupState.PREPARING_REBALANCE],
  [GroupState.PREPARING_REBALANCE]: [GroupState.STABLE, GroupState.COMPLETING_REBALANCE, GroupState.EMPTY],
  [GroupState.COMPLETING_REBALANCE]: [GroupState.PREPARING_REBALANCE],
  [GroupState.STABLE]: [GroupState.COMPLETING_REBALANCE],
  [GroupState.DEAD]: [GroupState.STABLE, GroupState.PREPARING_REBALANCE, GroupState.COMPLETING_REBALANCE, GroupState.EMPTY, GroupState.DEAD],
}

export function isValidTransition(from: GroupState, to: GroupState): boolean {
  return validPreviousStates[to].includes(from)
}

export const CLASSIC_GROUP_TYPE = 'classic'
export const CONSUMER_PROTOCOL_TYPE = 'consumer'
