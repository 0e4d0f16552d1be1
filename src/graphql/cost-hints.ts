/**
 * Hints for the operation cost estimate (src/api/cost.ts), kept on the fields they describe: how many items
 * a list field returns, from its arguments, when its size is not a `first`/`last` (telemetry windows over a
 * range, points with a default of their own), and what a computing field weighs (`extensions.cost`).
 */
export type ListSizeEstimate = (args: Record<string, unknown>) => number;

/** The field extension giving a list field's size from its arguments. */
export function listSize(estimate: ListSizeEstimate): { listSize: ListSizeEstimate } {
  return { listSize: estimate };
}

/** The field extension weighing a field that computes, in nodes per object it is asked on. */
export function weighs(cost: number): { cost: number } {
  return { cost };
}
