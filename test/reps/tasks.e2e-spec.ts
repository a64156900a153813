import { jest } from '@jest/globals';
import type pg from 'pg';
import { ApiKeyService } from '#auth';
import { commandIdFor } from '#commands';
import { repStream } from '#sales/domain';
import { comparePositions, EventStoreUnavailableError, serializePosition, type RecordedEvent } from '#event-store';
import { PROBLEM_TYPES } from '#http';
import { PG_POOL } from '#providers';
import { omit, PROBLEM_JSON, UTC_TIMESTAMP } from '#testing';
import { bodies, rejections, RepsHarness, ROUTES, TASK_ID, type Rejection, type Target } from './support.js';

describe('rep commands: tasks', () => {
  let h: RepsHarness;

  beforeAll(async () => {
    h = await RepsHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const assignTask = (harness: RepsHarness, repId: string, taskId = TASK_ID) => harness.authed().post(`/reps/${repId}/tasks`).send(bodies.task(taskId)).expect(201);
  const completeTask = (harness: RepsHarness, target: Target) =>
    harness.authed().post(`/reps/${target.repId}/tasks/${target.taskId}/complete`).send({}).expect(200);
  const deactivate = (harness: RepsHarness, repId: string) => harness.authed().post(`/reps/${repId}/deactivate`).send({}).expect(200);

  describe('POST /reps/:id/tasks', () => {
    const route = ROUTES.tasks;

    it('assigns a task: 201 and a TaskAssigned event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        taskId: TASK_ID,
        kind: 'call',
        title: 'Call about the renewal',
        customerId: 'cust-1',
        dueOn: '2026-07-15',
        origin: 'contract-follow-up',
        assignedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('assigns a task of no customer, its id derived from the command id', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: { kind: 'follow_up', title: ' Check in ', dueOn: '2026-08-01' } });
      expect(event.data).toEqual({ taskId: event.metadata.commandId, kind: 'follow_up', title: 'Check in', dueOn: '2026-08-01', assignedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'lunch' }), status: 400, field: 'kind' },
        { case: 'without title', body: (b) => omit(b, 'title'), status: 400, field: 'title' },
        { case: 'without dueOn', body: (b) => omit(b, 'dueOn'), status: 400, field: 'dueOn' },
        { case: 'a dueOn with a time', body: (b) => ({ ...b, dueOn: '2026-07-15T10:00:00Z' }), status: 400, field: 'dueOn' },
        { case: 'a taskId that is not an id', body: (b) => ({ ...b, taskId: 'task 1' }), status: 400, field: 'taskId' },
        { case: 'a customerId that is not an id', body: (b) => ({ ...b, customerId: '' }), status: 400, field: 'customerId' },
        // Only a reassignment says where a task came from.
        { case: 'reassignedFromRepId', body: (b) => ({ ...b, reassignedFromRepId: 'rep-1' }), status: 400, field: 'reassignedFromRepId' },
        {
          case: 'a task id the rep had before',
          given: async (harness, target) => void (await assignTask(harness, target.repId)),
          status: 422,
          reason: 'task_already_assigned',
          field: 'taskId',
        },
        { case: 'a blank title', body: (b) => ({ ...b, title: '   ' }), status: 422, reason: 'required', field: 'title' },
        { case: 'a due date that does not exist', body: (b) => ({ ...b, dueOn: '2026-02-30' }), status: 422, reason: 'invalid_date', field: 'dueOn' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /reps/:id/tasks/:taskId/complete', () => {
    const route = ROUTES.complete;

    it('completes an open task: 200 and a TaskCompleted event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ taskId: TASK_ID, customerId: 'cust-1', outcome: 'Renewed for two years', completedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'an outcome that is not text', body: () => ({ outcome: 5 }), status: 400, field: 'outcome' },
        { case: 'a completed task', given: async (harness, target) => void (await completeTask(harness, target)), status: 422, reason: 'task_completed', field: 'taskId' },
        {
          case: 'a task reassigned to another rep',
          given: async (harness, target) => {
            const other = await harness.onboard();
            await harness.authed().post(`/reps/${target.repId}/tasks/${target.taskId}/reassign`).send(bodies.reassign(other)).expect(200);
          },
          status: 422,
          reason: 'task_reassigned',
          field: 'taskId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /reps/:id/tasks/:taskId/reassign', () => {
    const route = ROUTES.reassign;
    let serviceKeyId: string;

    beforeAll(async () => {
      const principal = await h.api.app.get(ApiKeyService).authenticate(h.api.keys.service);
      if (!principal) throw new Error('the test service key does not authenticate');
      serviceKeyId = principal.keyId;
    });

    const reassign = (target: Target, key?: string) => {
      const request = h.authed().post(`/reps/${target.repId}/tasks/${target.taskId}/reassign`);
      return (key === undefined ? request : request.set('Idempotency-Key', key)).send(bodies.reassign(target.toRepId ?? ''));
    };

    /** The one TaskAssigned of the task on the target's stream. */
    const handedOver = async (target: Target): Promise<RecordedEvent> => {
      const assigned = (await h.events(target.toRepId ?? '')).filter((event) => event.type === 'TaskAssigned' && event.data.taskId === target.taskId);
      expect(assigned).toHaveLength(1);
      return assigned[0];
    };

    it('hands the task over: TaskAssigned on the target’s stream, then TaskReassigned on the source’s, one command behind both', async () => {
      const target = await h.target(route);
      const reassigned = await h.expectAppended(route, target);
      expect(reassigned.data).toEqual({
        taskId: TASK_ID,
        customerId: 'cust-1',
        toRepId: target.toRepId,
        reason: 'On holiday until the due date',
        reassignedAt: expect.stringMatching(UTC_TIMESTAMP),
      });

      expect(await h.types(target.toRepId ?? '')).toEqual(['RepOnboarded', 'TaskAssigned']);
      const assigned = await handedOver(target);
      expect(assigned.data).toEqual({
        taskId: TASK_ID,
        kind: 'call',
        title: 'Call about the renewal',
        customerId: 'cust-1',
        dueOn: '2026-07-15',
        reassignedFromRepId: target.repId,
        origin: 'contract-follow-up',
        assignedAt: reassigned.data.reassignedAt,
      });
      // Caused by the reassignment, under an id of its own; appended before the source's event.
      expect(assigned.metadata).toMatchObject({ causationId: reassigned.metadata.commandId, correlationId: reassigned.metadata.correlationId });
      expect(assigned.metadata.commandId).not.toBe(reassigned.metadata.commandId);
      expect(comparePositions(assigned.position, reassigned.position)).toBeLessThan(0);

      // The task is the target's now: they complete it; the source can no longer.
      await completeTask(h, { repId: target.toRepId ?? '', taskId: TASK_ID });
      const again = await h.authed().post(`/reps/${target.repId}/tasks/${TASK_ID}/complete`).send({}).expect(422);
      expect(again.body).toMatchObject({ reason: 'task_reassigned', field: 'taskId' });
    });

    it('answers a retry with the same Idempotency-Key with the first response, handing over once', async () => {
      const target = await h.target(route);
      const first = await reassign(target, 'reassign-key-1').expect(200);
      const retry = await reassign(target, 'reassign-key-1').expect(200).expect('Idempotent-Replayed', 'true');
      expect(retry.body).toEqual(first.body);
      expect(await h.types(target.repId)).toEqual(['RepOnboarded', 'TaskAssigned', 'TaskReassigned']);
      await handedOver(target);
    });

    it('completes a half-done reassignment on a retry with the same Idempotency-Key, without doubling the assignment', async () => {
      const target = await h.target(route);
      const append = h.store.append.bind(h.store);
      // The process dies after the target's append and before the source's.
      const failing = jest.spyOn(h.store, 'append').mockImplementation(async (streamId, events, expected) => {
        if (streamId === repStream(target.repId)) throw new EventStoreUnavailableError('the process died between the two appends');
        return append(streamId, events, expected);
      });
      try {
        const failed = await reassign(target, 'reassign-key-2').expect(503);
        expect(failed.headers['content-type']).toMatch(PROBLEM_JSON);
      } finally {
        failing.mockRestore();
      }
      const assigned = await handedOver(target);
      expect(await h.types(target.repId)).toEqual(['RepOnboarded', 'TaskAssigned']);

      const retry = await reassign(target, 'reassign-key-2').expect(200);
      expect(await h.types(target.repId)).toEqual(['RepOnboarded', 'TaskAssigned', 'TaskReassigned']);
      const [reassigned] = (await h.events(target.repId)).slice(-1);
      expect(retry.body).toEqual({ repId: target.repId, revision: reassigned.revision, position: serializePosition(reassigned.position) });
      expect(reassigned.metadata.commandId).toBe(commandIdFor(serviceKeyId, 'reassign-key-2'));
      // The assignment written before the failure is the one that stays.
      expect(await handedOver(target)).toEqual(assigned);
    });

    it('answers a retry whose stored response was lost with the original outcome, appending nothing', async () => {
      const target = await h.target(route);
      const first = await reassign(target, 'reassign-key-3').expect(200);
      await h.api.app.get<pg.Pool>(PG_POOL).query(`delete from commands.idempotency_keys where idempotency_key = 'reassign-key-3'`);
      const retry = await reassign(target, 'reassign-key-3').expect(200);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(retry.body).toEqual(first.body);
      expect(await h.types(target.repId)).toEqual(['RepOnboarded', 'TaskAssigned', 'TaskReassigned']);
      await handedOver(target);
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without toRepId', body: (b) => omit(b, 'toRepId'), status: 400, field: 'toRepId' },
        { case: 'a toRepId that is not an id', body: (b) => ({ ...b, toRepId: 'rep 2' }), status: 400, field: 'toRepId' },
        { case: 'to the rep who holds it', body: (b, target) => ({ ...b, toRepId: target.repId }), status: 422, reason: 'reassign_to_self', field: 'toRepId' },
        { case: 'to an unknown rep', body: (b) => ({ ...b, toRepId: 'no-such-rep' }), status: 404, reason: 'rep_not_found' },
        {
          case: 'to a deactivated rep',
          given: async (harness, target) => void (await deactivate(harness, target.toRepId ?? '')),
          status: 422,
          reason: 'rep_deactivated',
        },
        {
          case: 'to a rep who had a task of that id',
          given: async (harness, target) => void (await assignTask(harness, target.toRepId ?? '')),
          status: 422,
          reason: 'task_already_assigned',
          field: 'taskId',
        },
        { case: 'a completed task', given: async (harness, target) => void (await completeTask(harness, target)), status: 422, reason: 'task_completed', field: 'taskId' },
        {
          case: 'a task reassigned before',
          given: async (harness, target) => {
            const other = await harness.onboard();
            await harness.authed().post(`/reps/${target.repId}/tasks/${target.taskId}/reassign`).send(bodies.reassign(other)).expect(200);
          },
          status: 422,
          reason: 'task_reassigned',
          field: 'taskId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      const { body } = await h.expectRejected(route, rejection);
      if (rejection.status === 404) expect(body.type).toBe(PROBLEM_TYPES.notFound);
    });
  });
});
