import { omit, UTC_TIMESTAMP } from '#testing';
import { CustomersHarness, rejections, ROUTES, type Rejection } from '../support/customers.js';

const NO_ZONE = '2026-11-20T14:30:00';

describe('interaction commands (calls, e-mails, meetings, clicks, visits, form submissions)', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await CustomersHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  describe('POST /customers/:id/calls', () => {
    const route = ROUTES.calls;

    it('logs a call: 201 and a CallLogged event, the call id derived from the command id', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        callId: event.metadata.commandId,
        direction: 'outbound',
        durationSeconds: 420,
        outcome: 'follow_up_requested',
        repId: 'rep-17',
        summary: 'Asked for a revised proposal by Friday.',
        occurredAt: '2026-11-20T14:30:00.000Z',
      });
    });

    it('keeps a given call id, defaults occurredAt to now, and counts revisions up', async () => {
      const target = await h.target(route);
      const first = await h.expectAppended(route, target, { body: { ...omit(route.body(), 'occurredAt', 'summary'), callId: 'call-1' } });
      expect(first.data).toEqual({
        callId: 'call-1',
        direction: 'outbound',
        durationSeconds: 420,
        outcome: 'follow_up_requested',
        repId: 'rep-17',
        occurredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
      const second = await h.expectAppended(route, target);
      expect(second.revision).toBe(first.revision + 1);
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without direction', body: (b) => omit(b, 'direction'), status: 400, field: 'direction' },
        { case: 'without durationSeconds', body: (b) => omit(b, 'durationSeconds'), status: 400, field: 'durationSeconds' },
        { case: 'without outcome', body: (b) => omit(b, 'outcome'), status: 400, field: 'outcome' },
        { case: 'without repId', body: (b) => omit(b, 'repId'), status: 400, field: 'repId' },
        { case: 'a string for durationSeconds', body: (b) => ({ ...b, durationSeconds: '420' }), status: 400, field: 'durationSeconds' },
        { case: 'a fraction for durationSeconds', body: (b) => ({ ...b, durationSeconds: 4.2 }), status: 400, field: 'durationSeconds' },
        { case: 'a negative durationSeconds', body: (b) => ({ ...b, durationSeconds: -1 }), status: 400, field: 'durationSeconds' },
        { case: 'an unknown direction', body: (b) => ({ ...b, direction: 'sideways' }), status: 400, field: 'direction' },
        { case: 'an unknown outcome', body: (b) => ({ ...b, outcome: 'great' }), status: 400, field: 'outcome' },
        { case: 'a number for summary', body: (b) => ({ ...b, summary: 42 }), status: 400, field: 'summary' },
        { case: 'a summary over 4000 characters', body: (b) => ({ ...b, summary: 's'.repeat(4001) }), status: 400, field: 'summary' },
        { case: 'a callId that is not an id', body: (b) => ({ ...b, callId: 'call #1' }), status: 400, field: 'callId' },
        { case: 'an occurredAt that is not a timestamp', body: (b) => ({ ...b, occurredAt: 'yesterday' }), status: 400, field: 'occurredAt' },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/emails', () => {
    const route = ROUTES.emails;

    it('logs an e-mail: 201 and an EmailLogged event, occurredAt normalised to UTC', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        emailId: event.metadata.commandId,
        direction: 'inbound',
        subject: 'Re: proposal for 2027',
        summary: 'Accepts the price, asks about delivery dates.',
        repId: 'rep-17',
        occurredAt: '2026-11-20T14:00:00.000Z',
      });
    });

    it('keeps an empty subject as sent, and a given e-mail id', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: { direction: 'outbound', subject: '', emailId: 'mail-1' } });
      expect(event.data).toEqual({ emailId: 'mail-1', direction: 'outbound', subject: '', occurredAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without direction', body: (b) => omit(b, 'direction'), status: 400, field: 'direction' },
        { case: 'without subject', body: (b) => omit(b, 'subject'), status: 400, field: 'subject' },
        { case: 'a number for subject', body: (b) => ({ ...b, subject: 42 }), status: 400, field: 'subject' },
        { case: 'a subject over 500 characters', body: (b) => ({ ...b, subject: 's'.repeat(501) }), status: 400, field: 'subject' },
        { case: 'an unknown direction', body: (b) => ({ ...b, direction: 'cc' }), status: 400, field: 'direction' },
        { case: 'a repId that is not an id', body: (b) => ({ ...b, repId: '' }), status: 400, field: 'repId' },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/meetings', () => {
    const route = ROUTES.meetings;

    it('logs a meeting: 201 and a MeetingLogged event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        meetingId: event.metadata.commandId,
        kind: 'visit',
        location: 'Customer site, Frankfurt',
        durationMinutes: 45,
        repId: 'rep-17',
        summary: 'Demo of the reporting module.',
        occurredAt: '2026-11-21T09:00:00.000Z',
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'without durationMinutes', body: (b) => omit(b, 'durationMinutes'), status: 400, field: 'durationMinutes' },
        { case: 'without repId', body: (b) => omit(b, 'repId'), status: 400, field: 'repId' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'lunch' }), status: 400, field: 'kind' },
        { case: 'a string for durationMinutes', body: (b) => ({ ...b, durationMinutes: '45' }), status: 400, field: 'durationMinutes' },
        { case: 'a meeting longer than a day', body: (b) => ({ ...b, durationMinutes: 1441 }), status: 400, field: 'durationMinutes' },
        { case: 'a number for location', body: (b) => ({ ...b, location: 42 }), status: 400, field: 'location' },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/clicks', () => {
    const route = ROUTES.clicks;

    it('records an ad click: 201 and a LeadClickRecorded event with its attribution', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        clickId: event.metadata.commandId,
        kind: 'ad',
        campaignId: 'campaign-spring-2026',
        adId: 'ad-42',
        url: 'https://shop.example.com/landing?utm_source=newsletter',
        utm: { source: 'newsletter', medium: 'email', campaign: 'spring-sale' },
        occurredAt: '2026-11-19T08:00:00.000Z',
      });
    });

    it.each([
      ['an ad click with only a campaign', { kind: 'ad', campaignId: 'campaign-1' }],
      ['an affiliate link click', { kind: 'affiliate_link', affiliateSiteId: 'affiliate-comparecrm' }],
      ['an e-mail link click without attribution', { kind: 'email_link' }],
    ])('records %s', async (_, attribution) => {
      const event = await h.expectAppended(route, await h.target(route), { body: { ...attribution, url: 'http://localhost:3000/x' } });
      expect(event.data).toEqual({ clickId: expect.any(String), ...attribution, url: 'http://localhost:3000/x', occurredAt: expect.stringMatching(UTC_TIMESTAMP) });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without kind', body: (b) => omit(b, 'kind'), status: 400, field: 'kind' },
        { case: 'without url', body: (b) => omit(b, 'url'), status: 400, field: 'url' },
        { case: 'an unknown kind', body: (b) => ({ ...b, kind: 'banner' }), status: 400, field: 'kind' },
        { case: 'a url that is not http(s)', body: (b) => ({ ...b, url: 'ftp://files.example.com/x' }), status: 400, field: 'url' },
        { case: 'a number for url', body: (b) => ({ ...b, url: 42 }), status: 400, field: 'url' },
        { case: 'an unknown utm field', body: (b) => ({ ...b, utm: { source: 'x', gclid: 'y' } }), status: 400, field: 'utm.gclid' },
        { case: 'a string for utm', body: (b) => ({ ...b, utm: 'utm_source=x' }), status: 400, field: 'utm' },
        { case: 'an adId that is not an id', body: (b) => ({ ...b, adId: 'ad 42' }), status: 400, field: 'adId' },
        {
          case: 'an ad click without adId or campaignId',
          body: (b) => omit(b, 'adId', 'campaignId'),
          status: 422,
          reason: 'ad_or_campaign_required',
          field: 'adId',
        },
        {
          case: 'an affiliate link click without affiliateSiteId',
          body: (b) => ({ ...b, kind: 'affiliate_link' }),
          status: 422,
          reason: 'affiliate_site_required',
          field: 'affiliateSiteId',
        },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/visits', () => {
    const route = ROUTES.visits;

    it('records a site visit: 201 and a SiteVisitRecorded event', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        visitId: event.metadata.commandId,
        url: 'https://shop.example.com/pricing',
        referrer: 'https://www.example.org/',
        pageCount: 4,
        durationSeconds: 180,
        campaignId: 'campaign-spring-2026',
        occurredAt: '2026-11-19T08:05:00.000Z',
      });
    });

    it('records the ad and affiliate site that brought the visit', async () => {
      const event = await h.expectAppended(route, await h.target(route), {
        body: { url: 'https://shop.example.com/pricing', adId: 'ad-42', affiliateSiteId: 'affiliate-comparecrm', occurredAt: '2026-11-19T08:05:00Z' },
      });
      expect(event.data).toEqual({
        visitId: event.metadata.commandId,
        url: 'https://shop.example.com/pricing',
        adId: 'ad-42',
        affiliateSiteId: 'affiliate-comparecrm',
        occurredAt: '2026-11-19T08:05:00.000Z',
      });
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without url', body: (b) => omit(b, 'url'), status: 400, field: 'url' },
        { case: 'a url that is not a URL', body: (b) => ({ ...b, url: 'pricing page' }), status: 400, field: 'url' },
        { case: 'a referrer that is not a URL', body: (b) => ({ ...b, referrer: 'google' }), status: 400, field: 'referrer' },
        { case: 'a string for pageCount', body: (b) => ({ ...b, pageCount: '4' }), status: 400, field: 'pageCount' },
        { case: 'a pageCount of 0', body: (b) => ({ ...b, pageCount: 0 }), status: 400, field: 'pageCount' },
        { case: 'a negative durationSeconds', body: (b) => ({ ...b, durationSeconds: -5 }), status: 400, field: 'durationSeconds' },
        { case: 'an affiliateSiteId that is not an id', body: (b) => ({ ...b, affiliateSiteId: 'site 9' }), status: 400, field: 'affiliateSiteId' },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });

  describe('POST /customers/:id/form-submissions', () => {
    const route = ROUTES.formSubmissions;

    it('records a form submission: 201 and a FormSubmissionRecorded event with its fields', async () => {
      const event = await h.expectAppended(route, await h.target(route));
      expect(event.data).toEqual({
        submissionId: event.metadata.commandId,
        formId: 'contact-us',
        fields: { message: 'Please call me back', company: 'Analytical Engines Ltd' },
        campaignId: 'campaign-spring-2026',
        occurredAt: '2026-11-19T08:10:00.000Z',
      });
    });

    it('records the anonymous visitor who submitted it', async () => {
      const event = await h.expectAppended(route, await h.target(route), { body: { formId: 'contact-us', fields: { message: 'Hi' }, visitorId: 'visitor-7f3a9c2e' } });
      expect(event.data).toEqual({
        submissionId: event.metadata.commandId,
        formId: 'contact-us',
        fields: { message: 'Hi' },
        visitorId: 'visitor-7f3a9c2e',
        occurredAt: expect.stringMatching(UTC_TIMESTAMP),
      });
    });

    // Refused like any unknown field, at any depth, before class-transformer (which dropped it silently).
    it('refuses a form field named __proto__, and pollutes nothing', async () => {
      await h.expectRejected(route, {
        case: '__proto__ as a field',
        body: () => '{"formId":"f1","fields":{"__proto__":{"polluted":"yes"},"a":"b"}}',
        status: 400,
        field: 'fields.__proto__',
      });
      expect(({} as { polluted?: string }).polluted).toBeUndefined();
    });

    it.each<Rejection>(
      rejections(route, [
        { case: 'without formId', body: (b) => omit(b, 'formId'), status: 400, field: 'formId' },
        { case: 'without fields', body: (b) => omit(b, 'fields'), status: 400, field: 'fields' },
        { case: 'a number for formId', body: (b) => ({ ...b, formId: 7 }), status: 400, field: 'formId' },
        { case: 'a field that is not a string', body: (b) => ({ ...b, fields: { age: 42 } }), status: 400, field: 'fields' },
        { case: 'a list for fields', body: (b) => ({ ...b, fields: ['a'] }), status: 400, field: 'fields' },
        { case: 'more than 50 fields', body: (b) => ({ ...b, fields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'v'])) }), status: 400, field: 'fields' },
        { case: 'an unknown utm field', body: (b) => ({ ...b, utm: { colour: 'red' } }), status: 400, field: 'utm.colour' },
        { case: 'a visitorId that is not an id', body: (b) => ({ ...b, visitorId: '' }), status: 400, field: 'visitorId' },
        { case: 'an occurredAt without a time zone', body: (b) => ({ ...b, occurredAt: NO_ZONE }), status: 422, reason: 'invalid_timestamp', field: 'occurredAt' },
      ]),
    )('refuses $case', async (rejection) => {
      await h.expectRejected(route, rejection);
    });
  });
});
