import { omit, UTC_TIMESTAMP } from '#testing';
import { bodies, CONTRACT_ID, CustomersHarness, rejections, ROUTES, type Rejection, type Target } from '../support/customers.js';

describe('contract commands', () => {
  let h: CustomersHarness;
  const terminate = (harness: CustomersHarness, target: Target) =>
    harness.authed().post(`/customers/${target.customerId}/contracts/${target.contractId}/terminate`).send(bodies.terminate()).expect(200);

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /customers/:id/contracts', () => {
    const route = ROUTES.contracts;

    it('records our own contract: 201 and a ContractRecorded event with its terms', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        contractId: CONTRACT_ID,
        kind: 'own',
        title: 'Support and maintenance 2026',
        startsOn: '2026-01-01',
        endsOn: '2026-12-31',
        valueMinor: 1_200_000,
        currency: 'EUR',
        terms: '12 months, renews unless cancelled 3 months ahead',
        followUpLeadDays: 60,
        recordedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it("records a competitor's contract, the contract id derived from the command id when absent", async () => {
      const event = await h.expectAppended(route, await h.target(route), {
        body: { kind: 'competitor', vendorName: 'Globex CRM', startsOn: '2025-07-01', endsOn: '2027-06-30' },
      });
      expect(event.data).toEqual({
        contractId: event.metadata.commandId,
        kind: 'competitor',
        vendorName: 'Globex CRM',
        startsOn: '2025-07-01',
        endsOn: '2027-06-30',
        recordedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'without startsOn', body: (b) => omit(b, 'startsOn'), status: 400, field: 'startsOn' },
        { case: 'without endsOn', body: (b) => omit(b, 'endsOn'), status: 400, field: 'endsOn' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'partner' }), status: 400, field: 'kind' },
        { case: 'a startsOn that is not YYYY-MM-DD', body: (b) => ({ ...b, startsOn: '01/01/2026' }), status: 400, field: 'startsOn' },
        { case: 'a number for endsOn', body: (b) => ({ ...b, endsOn: 20261231 }), status: 400, field: 'endsOn' },
        { case: 'a string for valueMinor', body: (b) => ({ ...b, valueMinor: '1200000' }), status: 400, field: 'valueMinor' },
        { case: 'a negative valueMinor', body: (b) => ({ ...b, valueMinor: -1 }), status: 400, field: 'valueMinor' },
        { case: 'a follow-up lead of more than two years', body: (b) => ({ ...b, followUpLeadDays: 731 }), status: 400, field: 'followUpLeadDays' },
        { case: 'a contractId that is not an id', body: (b) => ({ ...b, contractId: 'contract 7' }), status: 400, field: 'contractId' },
        { case: 'an end before the start', body: (b) => ({ ...b, endsOn: '2025-12-31' }), status: 422, reason: 'contract_ends_before_start', field: 'endsOn' },
        { case: 'an end on the start day', body: (b) => ({ ...b, endsOn: '2026-01-01' }), status: 422, reason: 'contract_ends_before_start', field: 'endsOn' },
        { case: 'a competitor contract without vendor', body: (b) => ({ ...b, kind: 'competitor' }), status: 422, reason: 'vendor_required', field: 'vendorName' },
        {
          case: 'a competitor contract with a blank vendor',
          body: (b) => ({ ...b, kind: 'competitor', vendorName: '  ' }),
          status: 422,
          reason: 'vendor_required',
          field: 'vendorName',
        },
        { case: 'a value without currency', body: (b) => omit(b, 'currency'), status: 422, reason: 'currency_required', field: 'currency' },
        { case: 'a date that does not exist', body: (b) => ({ ...b, startsOn: '2026-02-30' }), status: 422, reason: 'invalid_date', field: 'startsOn' },
        {
          case: 'a contract id already recorded',
          given: async (harness, target) => void (await harness.authed().post(`/customers/${target.customerId}/contracts`).send(bodies.contract(CONTRACT_ID)).expect(201)),
          body: (b) => ({ ...b, title: 'Another' }),
          status: 422,
          reason: 'contract_already_recorded',
          field: 'contractId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('PATCH /customers/:id/contracts/:contractId', () => {
    const route = ROUTES.reviseContract;

    it('revises a contract: 200 and a ContractRevised event with only the changes, numbered per contract', async () => {
      const target = await h.target(route);
      const first = await h.expectAppended(route, target);
      expect(first.data).toEqual({
        contractId: CONTRACT_ID,
        revision: 1,
        changes: { endsOn: '2027-06-30', valueMinor: 1_500_000, terms: null },
        revisedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      // endsOn is unchanged now: only the currency is recorded.
      const second = await h.expectAppended(route, target, { body: { changes: { endsOn: '2027-06-30', currency: 'usd' } } });
      expect(second.data).toEqual({ contractId: CONTRACT_ID, revision: 2, changes: { currency: 'USD' }, revisedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without changes', body: () => ({}), status: 400, field: 'changes' },
        { case: 'a string for changes', body: () => ({ changes: 'endsOn=2027-06-30' }), status: 400, field: 'changes' },
        { case: 'a string for changes.valueMinor', body: () => ({ changes: { valueMinor: '1' } }), status: 400, field: 'changes.valueMinor' },
        { case: 'a changes.endsOn that is not YYYY-MM-DD', body: () => ({ changes: { endsOn: '30.06.2027' } }), status: 400, field: 'changes.endsOn' },
        { case: 'an unknown field in changes', body: () => ({ changes: { kind: 'competitor' } }), status: 400, field: 'changes.kind' },
        {
          case: 'a terminated contract',
          given: async (harness, target) => void (await terminate(harness, target)),
          status: 422,
          reason: 'contract_terminated',
          field: 'contractId',
        },
        { case: 'no changes', body: () => ({ changes: {} }), status: 422, reason: 'no_changes', field: 'changes' },
        { case: 'only the terms it already has', body: () => ({ changes: { startsOn: '2026-01-01', currency: 'EUR' } }), status: 422, reason: 'no_changes', field: 'changes' },
        { case: 'an end before the start', body: () => ({ changes: { endsOn: '2025-06-30' } }), status: 422, reason: 'contract_ends_before_start', field: 'changes.endsOn' },
        { case: 'a start after the end', body: () => ({ changes: { startsOn: '2027-01-01' } }), status: 422, reason: 'contract_ends_before_start', field: 'changes.startsOn' },
        { case: 'clearing startsOn', body: () => ({ changes: { startsOn: null } }), status: 422, reason: 'invalid_date', field: 'changes.startsOn' },
        { case: 'clearing the currency of a valued contract', body: () => ({ changes: { currency: null } }), status: 422, reason: 'currency_required', field: 'changes.currency' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/contracts/:contractId/terminate', () => {
    const route = ROUTES.terminateContract;

    it('terminates a contract: 200 and a ContractTerminated event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        contractId: CONTRACT_ID,
        terminatedOn: '2026-06-30',
        reason: 'Switched vendor',
        terminatedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('terminates without a reason', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: { terminatedOn: '2026-03-31' } });
      expect(event.data).toEqual({ contractId: CONTRACT_ID, terminatedOn: '2026-03-31', terminatedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without terminatedOn', body: (b) => omit(b, 'terminatedOn'), status: 400, field: 'terminatedOn' },
        { case: 'a terminatedOn that is not YYYY-MM-DD', body: (b) => ({ ...b, terminatedOn: '2026-06-30T00:00:00Z' }), status: 400, field: 'terminatedOn' },
        { case: 'a number for reason', body: (b) => ({ ...b, reason: 7 }), status: 400, field: 'reason' },
        { case: 'a reason over 1000 characters', body: (b) => ({ ...b, reason: 'r'.repeat(1001) }), status: 400, field: 'reason' },
        { case: 'a date that does not exist', body: (b) => ({ ...b, terminatedOn: '2026-06-31' }), status: 422, reason: 'invalid_date', field: 'terminatedOn' },
        {
          case: 'a second termination',
          given: async (harness, target) => void (await terminate(harness, target)),
          status: 422,
          reason: 'contract_terminated',
          field: 'contractId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});
