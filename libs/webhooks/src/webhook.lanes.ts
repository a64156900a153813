import { keyOf } from '#postgres';

/** One event to deliver to one subscription, in log order within a batch. */
export interface DeliveryCandidate {
  readonly subscriptionId: string;
  readonly streamId: string;
  readonly streamRevision: number;
}

/** The lane of a delivery: its subscription and its event's stream. Order holds within a lane. */
export function laneOf(delivery: Pick<DeliveryCandidate, 'subscriptionId' | 'streamId'>): string {
  return keyOf(delivery.subscriptionId, delivery.streamId);
}

/**
 * The status each new delivery of a batch starts in: only a lane's head has a job, so in each lane
 * the first new delivery is `queued` unless the lane still has an unfinished delivery (`busyLanes`,
 * from before the batch), and every later one is `pending` until the one before it finishes.
 * `candidates` are new deliveries only (none already stored), in log order.
 */
export function assignLanes<C extends DeliveryCandidate>(candidates: readonly C[], busyLanes: ReadonlySet<string>): (C & { status: 'queued' | 'pending' })[] {
  const busy = new Set(busyLanes);
  return candidates.map((candidate) => {
    const lane = laneOf(candidate);
    if (busy.has(lane)) return { ...candidate, status: 'pending' };
    busy.add(lane);
    return { ...candidate, status: 'queued' };
  });
}
