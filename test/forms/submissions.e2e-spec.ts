import { randomUUID } from 'node:crypto';
import { EMAIL_CLAIM_STREAM_PREFIX, EMAIL_CLAIMED } from '#lead-capture';
import { ERASED } from '#event-store';
import { FormsHarness, PROBLEM_JSON, type CreatedForm } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A fresh address per test: every test starts with an unknown lead. */
const newEmail = (name = 'lead') => `${name}.${randomUUID().slice(0, 8)}@example.com`;

describe('lead-capture submissions (public)', () => {
  let h: FormsHarness;
  let form: CreatedForm;

  beforeAll(async () => {
    // The projector keeps the customer directory, where customers registered by the API are found by address.
    h = await FormsHarness.start({ withProjector: true, env: { LEAD_CAPTURE_RATE_LIMIT: '10000' } });
    form = await h.createForm({ fields: ['budget'], campaignId: 'campaign-spring', adId: 'ad-default' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('registers an unknown address as a lead with the submission on its stream (JSON)', async () => {
    const email = newEmail('ada');
    const response = await h
      .submitJson(form, {
        email,
        name: ' Ada Lovelace ',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines',
        message: 'Please call me back',
        budget: '10k',
        adId: 'ad-7',
        visitorId: 'visitor-42',
        utm_source: 'newsletter',
        utm_campaign: 'spring',
        website: '',
      })
      .expect(202);
    expect(response.body).toEqual({ submissionId: expect.stringMatching(UUID) });

    const { customerId, events } = await h.customerWith(email);
    expect(events.map((event) => [event.type, event.revision])).toEqual([
      ['CustomerRegistered', 0],
      ['FormSubmissionRecorded', 1],
    ]);
    expect(events[0].data).toEqual({
      customerId,
      stage: 'lead',
      source: 'web_form',
      contact: { name: 'Ada Lovelace', email, phone: '+44 20 7946 0000' },
      company: { name: 'Analytical Engines' },
      tags: [],
      visitorId: 'visitor-42',
      campaignId: 'campaign-spring',
      adId: 'ad-7',
      registeredAt: expect.any(String),
    });
    expect(events[1].data).toEqual({
      submissionId: (response.body as { submissionId: string }).submissionId,
      formId: form.id,
      fields: { email, name: 'Ada Lovelace', phone: '+44 20 7946 0000', company: 'Analytical Engines', message: 'Please call me back', budget: '10k' },
      campaignId: 'campaign-spring',
      adId: 'ad-7',
      utm: { source: 'newsletter', campaign: 'spring' },
      visitorId: 'visitor-42',
      occurredAt: events[0].data.registeredAt,
    });
    expect(events[1].metadata).toMatchObject({ actor: `form:${form.id}`, commandId: (response.body as { submissionId: string }).submissionId });

    // The address is claimed for that customer, under a stream name that does not reveal it.
    const log = await h.log();
    const claims = log.filter((event) => event.type === EMAIL_CLAIMED && event.data.customerId === customerId);
    expect(claims).toHaveLength(1);
    expect(claims[0].streamId).toMatch(new RegExp(`^${EMAIL_CLAIM_STREAM_PREFIX}[0-9a-f]{64}$`));
    expect(claims[0].data).toEqual({ customerId, origin: 'new_lead', claimedAt: expect.any(String) });
    // Stream names are hex, so look for what hex cannot hold: the local part (with its dot) and the surname.
    const revealing = [email, email.split('@')[0], 'lovelace'];
    expect(log.some((event) => revealing.some((text) => event.streamId.toLowerCase().includes(text)))).toBe(false);
  });

  it('takes a form-encoded submission as a browser posts it', async () => {
    const email = newEmail('grace');
    await h.submitForm(form, `email=${encodeURIComponent(email)}&name=Grace+Hopper&budget=&utm_medium=email`).expect(202);
    const { events } = await h.customerWith(email);
    expect(events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded']);
    expect(events[0].data.contact).toEqual({ name: 'Grace Hopper', email });
    expect(events[1].data).toMatchObject({ fields: { email, name: 'Grace Hopper' }, utm: { medium: 'email' }, campaignId: 'campaign-spring', adId: 'ad-default' });
  });

  it('names a lead without a name by their address', async () => {
    const email = newEmail('anonymous');
    await h.submitJson(form, { email }).expect(202);
    expect((await h.customerWith(email)).events[0].data.contact).toEqual({ name: email, email });
  });

  it('adds a known address’s submission to its customer: one customer, two submissions', async () => {
    const email = newEmail('twice');
    await h.submitJson(form, { email, name: 'First Time' }).expect(202);
    await h.submitForm(form, { email: `  ${email.toUpperCase()} `, message: 'Me again' }).expect(202);
    const { events } = await h.customerWith(email);
    expect(events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded', 'FormSubmissionRecorded']);
    expect(events[2].data.fields).toEqual({ email: email.toUpperCase(), message: 'Me again' });
  });

  it('registers one customer when submissions of a new address arrive at once', async () => {
    const email = newEmail('concurrent');
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => h.submitJson(form, { email, name: `Attempt ${i}` })));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
    const { events } = await h.customerWith(email);
    expect(events.filter((event) => event.type === 'CustomerRegistered')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'FormSubmissionRecorded')).toHaveLength(8);
    const log = await h.log();
    expect(log.filter((event) => event.type === EMAIL_CLAIMED && event.data.customerId === events[0].data.customerId)).toHaveLength(1);
  });

  it('records a resent submission once: same Idempotency-Key, or the same fields the same day', async () => {
    const email = newEmail('resend');
    const first = await h.submitJson(form, { email, message: 'Hello' }, { 'Idempotency-Key': 'page-load-1' }).expect(202);
    await h.expectNothingAppended(async () => {
      const again = await h.submitJson(form, { email, message: 'Hello' }, { 'Idempotency-Key': 'page-load-1' }).expect(202);
      expect(again.body).toEqual(first.body);
    });

    const plain = await h.submitForm(form, { email, message: 'Double click' }).expect(202);
    await h.expectNothingAppended(async () => {
      const doubleClick = await h.submitForm(form, { message: 'Double click', email }).expect(202);
      expect(doubleClick.body).toEqual(plain.body);
    });
    expect((await h.customerWith(email)).events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded', 'FormSubmissionRecorded']);
  });

  it('finds customers the API registered by their address (customer directory), whatever its case', async () => {
    const email = newEmail('known');
    const registered = await h.api.http
      .post('/customers')
      .set('Authorization', `Bearer ${h.api.keys.service}`)
      .send({ source: 'api', contact: { name: 'Known Customer', email: email.toUpperCase() } })
      .expect(201);
    const { customerId, position } = registered.body as { customerId: string; position: string };
    await h.api.http.get(`/customers/${customerId}`).set('Authorization', `Bearer ${h.api.keys.analyst}`).set('X-Consistent-With', position).expect(200);

    await h.submitJson(form, { email, name: 'Someone Else' }).expect(202);
    await h.submitJson(form, { email, message: 'Second' }).expect(202);
    const customers = await h.customersWith(email);
    expect(customers.map((customer) => customer.customerId)).toEqual([customerId]);
    expect(customers[0].events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded', 'FormSubmissionRecorded']);
    const claim = (await h.log()).find((event) => event.type === EMAIL_CLAIMED && event.data.customerId === customerId);
    expect(claim?.data.origin).toBe('existing_customer');
  });

  it('starts a new lead for the address of an erased customer', async () => {
    const email = newEmail('erased');
    await h.submitJson(form, { email, name: 'Forget Me' }).expect(202);
    const { customerId } = await h.customerWith(email);
    await h.api.http.post(`/customers/${customerId}/erase`).set('Authorization', `Bearer ${h.api.keys.admin}`).send({}).expect(200);

    await h.submitJson(form, { email, name: 'Back Again' }).expect(202);
    const [fresh] = await h.customersWith(email); // the erased one's address reads as erased now
    expect(fresh.customerId).not.toBe(customerId);
    expect(fresh.events.map((event) => event.type)).toEqual(['CustomerRegistered', 'FormSubmissionRecorded']);
    // The erasure erased the claim's key: the address no longer leads to the erased customer.
    const log = await h.log();
    const reclaimed = log.find((event) => event.type === EMAIL_CLAIMED && event.data.customerId === fresh.customerId);
    expect(reclaimed?.data.origin).toBe('after_erasure');
    const claims = log.filter((event) => event.streamId === reclaimed?.streamId);
    expect(claims.map((event) => event.data.customerId)).toEqual([ERASED, fresh.customerId]);
    expect(JSON.stringify(log.filter((event) => event.type === EMAIL_CLAIMED).map((event) => event.data))).not.toContain(customerId);
  });

  it('answers a filled honeypot as accepted, and records nothing', async () => {
    await h.expectNothingAppended(async () => {
      const json = await h.submitJson(form, { email: newEmail('bot'), name: 'Bot', website: 'http://spam.example' }).expect(202);
      expect(json.body).toEqual({ submissionId: expect.stringMatching(UUID) });
      await h.submitForm(form, { email: newEmail('bot'), website: 'x' }).expect(202);
    });
  });

  it('sends a browser to the form’s successUrl (303) after a form-encoded submission; JSON clients get JSON', async () => {
    const redirecting = await h.createForm({ successUrl: 'https://www.example.com/thanks' });
    const browser = await h.submitForm(redirecting, { email: newEmail('browser') }).expect(303);
    expect(browser.headers.location).toBe('https://www.example.com/thanks');
    const bot = await h.submitForm(redirecting, { email: newEmail('bot'), website: 'x' }).expect(303);
    expect(bot.headers.location).toBe('https://www.example.com/thanks');
    await h.submitJson(redirecting, { email: newEmail('script') }).expect(202);
  });

  it('refuses a body over 16 kB with 413, unread and unrecorded', async () => {
    await h.expectNothingAppended(async () => {
      const json = await h.submitJson(form, { email: newEmail('big'), message: 'x'.repeat(17 * 1024) }).expect(413);
      expect(json.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(json.body).toMatchObject({ type: 'urn:crm:problem:payload-too-large', status: 413, detail: expect.stringContaining('16 kB') });
      await h.submitForm(form, { email: newEmail('big'), message: 'x'.repeat(17 * 1024) }).expect(413);
    });
  });

  it('answers 404 for an unknown or malformed form key', async () => {
    await h.expectNothingAppended(async () => {
      const unknown = await h.submitJson({ key: 'form_AAAAAAAAAAAAAAAAAAAAAA' }, { email: newEmail() }).expect(404);
      expect(unknown.headers['content-type']).toMatch(PROBLEM_JSON);
      await h.submitJson({ key: 'not-a-key' }, { email: newEmail() }).expect(404);
    });
  });

  it.each([
    ['no e-mail address', { name: 'No Address' }, ['email']],
    ['a malformed e-mail address', { email: 'not-an-address' }, ['email']],
    ['a malformed phone number', { email: 'a@example.com', phone: 'call me' }, ['phone']],
    ['a field the form does not have', { email: 'a@example.com', colour: 'red' }, ['colour']],
    ['a malformed campaign id', { email: 'a@example.com', campaignId: 'bad id!' }, ['campaignId']],
    ['a name over 200 characters', { email: 'a@example.com', name: 'x'.repeat(201) }, ['name']],
    ['a number instead of text', { email: 'a@example.com', budget: 42 }, ['budget']],
    ['several faults at once', { phone: 'nope', colour: 'red' }, ['colour', 'email', 'phone']],
  ])('refuses %s with 400 naming each field at fault, recording nothing', async (_, fields, named) => {
    await h.expectNothingAppended(async () => {
      const response = await h.api.http.post(`/forms/${form.key}/submissions`).send(fields).expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field).sort()).toEqual(named);
    });
  });

  it('refuses a repeated form field, a required field left blank, and a body neither form-encoded nor JSON', async () => {
    const strict = await h.createForm({ requiredFields: ['name'] });
    await h.expectNothingAppended(async () => {
      const repeated = await h.submitForm(form, 'email=a%40example.com&name=A&name=B').expect(400);
      expect(repeated.body).toMatchObject({ errors: [{ field: 'name' }] });
      const blank = await h.submitForm(strict, { email: newEmail(), name: '  ' }).expect(400);
      expect(blank.body).toMatchObject({ errors: [{ field: 'name', message: 'name is required' }] });
      await h.api.http.post(`/forms/${form.key}/submissions`).set('Content-Type', 'text/plain').send('email=a@example.com').expect(415);
      await h.api.http.post(`/forms/${form.key}/submissions`).set('Content-Type', 'application/json').send('{"email":').expect(400);
    });
  });

  it('lets any web page post a form (CORS), without credentials', async () => {
    const preflight = await h.api.http
      .options(`/forms/${form.key}/submissions`)
      .set('Origin', 'https://www.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST' });
    const posted = await h.submitJson(form, { email: newEmail('cors') }).set('Origin', 'https://www.example.com').expect(202);
    expect(posted.headers['access-control-allow-origin']).toBe('*');
  });
});
