import { newId, omit, UTC_TIMESTAMP } from '#testing';
import { bodies, CustomersHarness, rejections, ROUTES, type Rejection } from '../support/customers.js';

describe('customer registration and profile commands', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /customers', () => {
    const route = ROUTES.register;

    it('registers a customer: 201, revision 0, a CustomerRegistered event with the profile', async () => {
      const target = await h.target(route);
      const event = await h.expectAppended(route, target);
      expect(event.revision).toBe(0);
      expect(event.data).toEqual({
        customerId: target.customerId,
        stage: 'lead',
        source: 'api',
        contact: {
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+44 20 7946 0000',
          address: { street: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
        },
        company: { name: 'Analytical Engines Ltd', department: 'Procurement', personInCharge: 'Charles Babbage', title: 'Head of Procurement' },
        demographics: { birthYear: 1985, ageBand: '35-44', industry: 'manufacturing', companySize: '51-200' },
        tags: ['trade-fair-2026', 'enterprise'],
        registeredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('generates the customer id from the command id when none is given, defaults the stage to lead, trims and dedupes', async () => {
      const response = await h
        .authed()
        .post('/customers')
        .send({ source: 'web_form', contact: { name: '  Grace Hopper  ' }, tags: [' navy ', 'navy', 'cobol'], ownerRepId: 'rep-7' })
        .expect(201);
      const { customerId } = response.body as { customerId: string };
      expect(customerId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(response.body).toEqual({ customerId, revision: 0, position: expect.any(String) });
      const [event] = await h.events(customerId);
      expect(event.metadata.commandId).toBe(customerId);
      expect(event.data).toEqual({
        customerId,
        stage: 'lead',
        source: 'web_form',
        contact: { name: 'Grace Hopper' },
        tags: ['navy', 'cobol'],
        ownerRepId: 'rep-7',
        registeredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('carries the anonymous visitor and the campaign, ad and affiliate site that brought them', async () => {
      const customerId = newId();
      const attribution = { visitorId: 'visitor-7f3a9c2e', campaignId: 'campaign-spring-2026', adId: 'ad-42', affiliateSiteId: 'affiliate-comparecrm' };
      const event = await h.expectAppended(route, { customerId }, { body: { customerId, source: 'web_form', contact: { name: 'Grace Hopper' }, ...attribution } });
      expect(event.data).toEqual({
        customerId,
        stage: 'lead',
        source: 'web_form',
        contact: { name: 'Grace Hopper' },
        tags: [],
        ...attribution,
        registeredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without source', body: (b) => omit(b, 'source'), status: 400, field: 'source' },
        { case: 'without contact', body: (b) => omit(b, 'contact'), status: 400, field: 'contact' },
        { case: 'without contact.name', body: (b) => ({ ...b, contact: { email: 'ada@example.com' } }), status: 400, field: 'contact.name' },
        { case: 'a source that is not one of the sources', body: (b) => ({ ...b, source: 'carrier-pigeon' }), status: 400, field: 'source' },
        { case: 'a number for source', body: (b) => ({ ...b, source: 42 }), status: 400, field: 'source' },
        { case: 'a string for contact', body: (b) => ({ ...b, contact: 'Ada Lovelace' }), status: 400, field: 'contact' },
        { case: 'a number for contact.name', body: (b) => ({ ...b, contact: { name: 42 } }), status: 400, field: 'contact.name' },
        { case: 'a string for tags', body: (b) => ({ ...b, tags: 'vip' }), status: 400, field: 'tags' },
        { case: 'a string for demographics.birthYear', body: (b) => ({ ...b, demographics: { birthYear: '1985' } }), status: 400, field: 'demographics.birthYear' },
        { case: 'an invalid e-mail', body: (b) => ({ ...b, contact: { name: 'Ada', email: 'ada-at-example' } }), status: 400, field: 'contact.email' },
        { case: 'an unknown field in contact', body: (b) => ({ ...b, contact: { name: 'Ada', nickname: 'A' } }), status: 400, field: 'contact.nickname' },
        { case: 'an unknown field in the address', body: (b) => ({ ...b, contact: { name: 'Ada', address: { planet: 'Earth' } } }), status: 400, field: 'contact.address.planet' },
        { case: 'a customerId that is not an id', body: (b) => ({ ...b, customerId: 'bad id' }), status: 400, field: 'customerId' },
        { case: 'a visitorId that is not an id', body: (b) => ({ ...b, visitorId: 'visitor 7' }), status: 400, field: 'visitorId' },
        { case: 'a number for campaignId', body: (b) => ({ ...b, campaignId: 7 }), status: 400, field: 'campaignId' },
        { case: 'a body that is not an object', body: () => [bodies.register()], status: 400, field: 'body' },
        {
          case: 'a customer id already registered',
          given: async (harness, target) => void (await harness.register(bodies.register(target.customerId))),
          status: 422,
          reason: 'customer_already_registered',
          field: 'customerId',
        },
        { case: 'a blank name', body: (b) => ({ ...b, contact: { name: '   ' } }), status: 422, reason: 'name_required', field: 'contact.name' },
        { case: 'a birth year in the future', body: (b) => ({ ...b, demographics: { birthYear: 2099 } }), status: 422, reason: 'invalid_value', field: 'demographics.birthYear' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('PATCH /customers/:id', () => {
    const route = ROUTES.update;

    it('changes only what is given: 200 and a ProfileUpdated event with the changes', async () => {
      const target = await h.target(route);
      const event = await h.expectAppended(route, target);
      expect(event.data).toEqual({
        contact: { phone: '+44 20 7946 0999', email: null },
        company: { department: 'Finance' },
        tags: ['vip'],
        updatedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    it('records only the fields that differ from the profile', async () => {
      const target = await h.target(route);
      const event = await h.expectAppended(route, target, {
        body: { contact: { name: 'Ada Lovelace', email: 'ada@analytical.example' }, demographics: { industry: 'manufacturing', region: 'Greater London' } },
      });
      expect(event.data).toEqual({
        contact: { email: 'ada@analytical.example' },
        demographics: { region: 'Greater London' },
        updatedAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      // A second update starts from the updated profile.
      const second = await h.expectAppended(route, target, { body: { contact: { email: 'ada@example.com' } } });
      expect(second.data.contact).toEqual({ email: 'ada@example.com' });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'a number for contact.email', body: () => ({ contact: { email: 42 } }), status: 400, field: 'contact.email' },
        { case: 'a string for tags', body: () => ({ tags: 'vip' }), status: 400, field: 'tags' },
        { case: 'a string for company', body: () => ({ company: 'Globex' }), status: 400, field: 'company' },
        { case: 'a stage (not a profile field)', body: () => ({ stage: 'customer' }), status: 400, field: 'stage' },
        { case: 'a body that is not an object', body: () => [{ tags: ['vip'] }], status: 400, field: 'body' },
        { case: 'no changes at all', body: () => ({}), status: 422, reason: 'no_changes' },
        { case: 'only values the profile already holds', body: () => ({ contact: { name: 'Ada Lovelace' }, tags: ['trade-fair-2026', 'enterprise'] }), status: 422, reason: 'no_changes' },
        { case: 'clearing the name', body: () => ({ contact: { name: null } }), status: 422, reason: 'name_required', field: 'contact.name' },
        { case: 'a blank name', body: () => ({ contact: { name: ' ' } }), status: 422, reason: 'name_required', field: 'contact.name' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/owner', () => {
    const route = ROUTES.owner;

    it('assigns the owner: 200 and an OwnerAssigned event naming the previous one', async () => {
      const customerId = await h.register({ ...bodies.register(newId()), ownerRepId: 'rep-1' });
      const event = await h.expectAppended(route, { customerId });
      expect(event.data).toEqual({ repId: 'rep-42', previousRepId: 'rep-1', assignedAt: expect.stringMatching(UTC_TIMESTAMP) });
      const next = await h.expectAppended(route, { customerId }, { body: { repId: 'rep-43' } });
      expect(next.data).toEqual({ repId: 'rep-43', previousRepId: 'rep-42', assignedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('assigns a first owner without a previous one', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ repId: 'rep-42', assignedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without repId', body: () => ({}), status: 400, field: 'repId' },
        { case: 'a number for repId', body: () => ({ repId: 42 }), status: 400, field: 'repId' },
        { case: 'a repId that is not an id', body: () => ({ repId: 'rep 42' }), status: 400, field: 'repId' },
        {
          case: 'the rep who already owns the customer',
          given: async (harness, target) => void (await harness.authed().post(`/customers/${target.customerId}/owner`).send({ repId: 'rep-42' }).expect(200)),
          status: 422,
          reason: 'no_changes',
          field: 'repId',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/convert', () => {
    const route = ROUTES.convert;

    it('converts a lead: 200 and a LeadConverted event from its stage', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({ fromStage: 'lead', convertedAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it('converts a prospect', async () => {
      const customerId = await h.register({ ...bodies.register(newId()), stage: 'prospect' });
      const event = await h.expectAppended(route, { customerId });
      expect(event.data.fromStage).toBe('prospect');
    });

    it.each<Rejection>(
      rejections(route, [
        {
          case: 'a second conversion',
          given: async (harness, target) => void (await harness.authed().post(`/customers/${target.customerId}/convert`).expect(200)),
          status: 422,
          reason: 'already_converted',
        },
        {
          case: 'a customer registered as a customer',
          // Instead of the prepared lead, one registered at stage customer.
          given: async (harness) => ({ customerId: await harness.register({ ...bodies.register(newId()), stage: 'customer' }) }),
          status: 422,
          reason: 'already_converted',
        },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});
