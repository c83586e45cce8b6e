/**
 * The id of the task fired for one tick: the same on every node for the same schedule and tick, so a
 * publish made twice (a claim taken over from a node that was only slow) is one task, not two.
 */
export function scheduleTaskId(scheduleId: string, fireAt: number): string {
  return `schedule:${scheduleId}@${new Date(fireAt).toISOString()}`;
}
