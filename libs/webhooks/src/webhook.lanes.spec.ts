import { assignLanes, laneOf } from './webhook.lanes.js';

const delivery = (subscriptionId: string, streamId: string, streamRevision: number) => ({ subscriptionId, streamId, streamRevision });

describe('assignLanes', () => {
  it("queues each lane's first new delivery and holds the rest pending behind it", () => {
    const batch = [delivery('s1', 'customer-a', 0), delivery('s1', 'customer-b', 0), delivery('s1', 'customer-a', 1), delivery('s2', 'customer-a', 0), delivery('s1', 'customer-a', 2)];
    expect(assignLanes(batch, new Set()).map((d) => d.status)).toEqual(['queued', 'queued', 'pending', 'queued', 'pending']);
  });

  it('queues nothing in a lane that still has an unfinished delivery from before', () => {
    const batch = [delivery('s1', 'customer-a', 5), delivery('s1', 'customer-b', 3), delivery('s1', 'customer-a', 6)];
    const busy = new Set([laneOf({ subscriptionId: 's1', streamId: 'customer-a' })]);
    expect(assignLanes(batch, busy).map((d) => d.status)).toEqual(['pending', 'queued', 'pending']);
    expect(busy.size).toBe(1);
  });

  it('keeps what the candidates carry', () => {
    const [assigned] = assignLanes([{ ...delivery('s1', 'rep-1', 0), id: 'd1' }], new Set());
    expect(assigned).toEqual({ subscriptionId: 's1', streamId: 'rep-1', streamRevision: 0, id: 'd1', status: 'queued' });
  });

  it('keeps lanes apart whatever their names hold', () => {
    expect(laneOf({ subscriptionId: 'a","b', streamId: 'c' })).not.toBe(laneOf({ subscriptionId: 'a', streamId: 'b","c' }));
  });
});
