import { PROBLEM_TYPES } from '#http';
import { AWKWARD_BUT_VALID, LINE_BREAKS, nested, RULE_BREAKING } from '#testing';
import { eventCount, expectProjectionsCaughtUp, startTestApi, type TestApi } from './support/api.js';

/**
 * Input that once got past the edge: a NUL stored encrypted stopped read models for everyone, a
 * lone surrogate or deep nesting crashed validation (500), unstorable text failed at append (500),
 * and `__proto__` keys were dropped silently. Each is a 400 naming the field now, and appends nothing.
 */
describe('hostile input', () => {
  let api: TestApi;
  const as = (role: 'service' | 'analyst' | 'admin') => ({ Authorization: `Bearer ${api.keys[role]}` });
  let formKey: string;

  beforeAll(async () => {
    api = await startTestApi({ withProjector: true });
    await api.http.post('/customers').set(as('service')).send({ customerId: 'c-1', source: 'api', contact: { name: 'Ada Lovelace' } }).expect(201);
    await api.http.post('/reps').set(as('service')).send({ repId: 'rep-1', name: 'Rep One', email: 'rep1@example.com', team: 'smb', region: 'north', startDate: '2026-01-05' }).expect(201);
    formKey = (await api.http.post('/forms').set(as('admin')).send({ name: 'Quote', fields: ['budget'] }).expect(201)).body.key;
  });
  afterAll(() => api?.close());

  /** The request is a 400 `validation-failed` naming `field`, and the log did not move. */
  async function expectRefused(send: () => PromiseLike<{ status: number; body: Record<string, unknown> }>, field: string | RegExp): Promise<void> {
    const before = await eventCount(api);
    const response = await send();
    expect({ status: response.status, type: response.body.type }).toEqual({ status: 400, type: PROBLEM_TYPES.validationFailed });
    const fields = (response.body.errors as { field: string }[]).map((error) => error.field);
    expect(fields).toContainEqual(typeof field === 'string' ? field : expect.stringMatching(field));
    expect(await eventCount(api)).toBe(before);
  }

  describe('text that breaks the rule, in an encrypted field (once: accepted, then every projection stopped)', () => {
    it.each(Object.entries(RULE_BREAKING))('a note with %s', async (_, text) => {
      await expectRefused(() => api.http.post('/customers/c-1/notes').set(as('service')).send({ text }), 'text');
    });

    it.each(Object.entries(RULE_BREAKING))('a contact name with %s', async (_, name) => {
      await expectRefused(() => api.http.post('/customers').set(as('service')).send({ source: 'api', contact: { name } }), 'contact.name');
    });

    it('a form submission with a NUL, form-encoded and without any key', async () => {
      await expectRefused(
        () => api.http.post(`/forms/${formKey}/submissions`).type('form').send('email=x%40example.com&name=x%00y'),
        'name',
      );
      await expectRefused(() => api.http.post(`/forms/${formKey}/submissions`).send({ email: 'y@example.com', budget: 'a\u0000b' }), 'budget');
    });

    it('leaves every projection running and caught up', async () => {
      await expectProjectionsCaughtUp(api);
    });
  });

  describe('single-line fields refuse line breaks; multi-line text keeps them', () => {
    it.each(Object.entries(LINE_BREAKS))('a contact name with a %s', async (_, name) => {
      await expectRefused(() => api.http.post('/customers').set(as('service')).send({ source: 'api', contact: { name } }), 'contact.name');
    });

    it('a note over several lines, with tabs, is recorded as written', async () => {
      const text = 'first line\r\n\tsecond line\nthird';
      const { body } = await api.http.post('/customers/c-1/notes').set(as('service')).send({ text }).expect(201);
      const timeline = await api.http.get('/customers/c-1/timeline').set('X-Consistent-With', body.position).set(as('analyst')).expect(200);
      expect(JSON.stringify(timeline.body)).toContain(JSON.stringify(text).slice(1, -1));
    });

    it('a form’s message may span lines, its name may not', async () => {
      await expectRefused(() => api.http.post(`/forms/${formKey}/submissions`).type('form').send('email=z%40example.com&name=a%0Ab'), 'name');
      await api.http.post(`/forms/${formKey}/submissions`).type('form').send('email=z%40example.com&message=line%0Aline').expect(202);
    });
  });

  describe('a lone surrogate in an e-mail address (once: a 500 inside the e-mail check)', () => {
    const email = '\ud800@example.com';
    it('POST /customers', () => expectRefused(() => api.http.post('/customers').set(as('service')).send({ source: 'api', contact: { name: 'A', email } }), 'contact.email'));
    it('PATCH /customers/{id}', () => expectRefused(() => api.http.patch('/customers/c-1').set(as('service')).send({ contact: { name: 'A', email } }), 'contact.email'));
    it('POST /reps', () =>
      expectRefused(() => api.http.post('/reps').set(as('service')).send({ name: 'R', email, team: 'smb', region: 'north' }), 'email'));
    it('the public form route', () => expectRefused(() => api.http.post(`/forms/${formKey}/submissions`).send({ email }), 'email'));
  });

  describe('JSON nested thousands of levels deep (once: a 500, the stack exhausted)', () => {
    const routes: [string, string][] = [
      ['post', '/customers'],
      ['post', '/customers/c-1/notes'],
      ['patch', '/customers/c-1'],
      ['post', '/reps'],
      ['post', '/reps/rep-1/goals'],
      ['post', '/products'],
      ['post', '/campaigns'],
      ['post', '/webhooks'],
      ['post', `/forms/${'{form}'}/submissions`],
    ];
    it.each(routes)('%s %s', async (method, route) => {
      const path = route.replace('{form}', formKey);
      // 3,000 levels (18 kB) once exhausted the stack; a form submission's own limit is 16 kB.
      const body = `{"contact":${nested(route.startsWith('/forms') ? 2_000 : 3_000)}}`;
      const role = route.startsWith('/webhooks') ? 'admin' : 'service';
      await expectRefused(() => api.http[method as 'post' | 'patch'](path).set(as(role)).set('Content-Type', 'application/json').send(body), /^(body|contact)$/);
    });

    it('a body within the limit is validated as usual', async () => {
      const response = await api.http.post('/customers').set(as('service')).set('Content-Type', 'application/json').send(`{"source":"api","contact":${nested(20)}}`);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('contact.name');
    });
  });

  describe('unstorable text in a field stored in plain (once: a 500 at append)', () => {
    it('a NUL in company.name', () =>
      expectRefused(() => api.http.post('/customers').set(as('service')).send({ source: 'api', contact: { name: 'A' }, company: { name: 'x\u0000' } }), 'company.name'));
    it('a lone surrogate in a tag', () =>
      expectRefused(() => api.http.post('/customers').set(as('service')).send({ source: 'api', contact: { name: 'A' }, tags: ['ok', '\udfff'] }), 'tags.1'));
    it('a NUL in a property name', () => expectRefused(() => api.http.post('/customers/c-1/notes').set(as('service')).send({ ['te\u0000xt']: 'x' }), 'te\u0000xt'));
  });

  describe('a NUL in a query parameter (once: a 500 from PostgreSQL)', () => {
    const cases: [string, string, 'analyst'][] = [
      ['/customers', 'q', 'analyst'],
      ['/customers', 'region', 'analyst'],
      ['/customers', 'tag', 'analyst'],
      ['/customers/export.csv', 'q', 'analyst'],
      ['/customers/export.csv', 'tag', 'analyst'],
      ['/commissions', 'team', 'analyst'],
      ['/leaderboard', 'team', 'analyst'],
    ];
    it.each(cases)('%s ?%s=', async (route, parameter, role) => {
      for (const value of ['x\u0000y', 'a\u0007b']) {
        const response = await api.http.get(route).query({ [parameter]: value }).set(as(role));
        expect({ status: response.status, fields: response.body.errors?.map((e: { field: string }) => e.field) }).toEqual({ status: 400, fields: [parameter] });
      }
      // A surrogate's UTF-8 bytes cannot be a string: they decode to U+FFFD, which is text like any other.
      expect((await api.http.get(`${route}?${parameter}=%ED%A0%80`).set(as(role))).status).toBeLessThan(500);
    });

    it('a NUL in a route parameter', async () => {
      const response = await api.http.get('/customers/c%00-1').set(as('analyst'));
      expect(response.status).toBe(400);
    });
  });

  describe('__proto__, constructor and prototype as keys (once: dropped silently)', () => {
    it.each(['__proto__', 'constructor', 'prototype'])('%s at the top of a body', async (key) => {
      await expectRefused(
        () => api.http.post('/customers/c-1/notes').set(as('service')).set('Content-Type', 'application/json').send(`{"text":"hello","${key}":{"isAdmin":true}}`),
        key,
      );
    });

    it('__proto__ nested in a body', async () => {
      await expectRefused(
        () =>
          api.http
            .post('/customers')
            .set(as('service'))
            .set('Content-Type', 'application/json')
            .send('{"source":"api","contact":{"name":"A","__proto__":{"x":1}}}'),
        'contact.__proto__',
      );
    });

    it('__proto__ as a form field, or in a form-encoded command', async () => {
      await expectRefused(() => api.http.post(`/forms/${formKey}/submissions`).type('form').send('email=p%40example.com&__proto__=x'), '__proto__');
      await expectRefused(() => api.http.post('/customers/c-1/notes').set(as('service')).type('form').send('text=hi&__proto__=x'), '__proto__');
    });
  });

  it('text that keeps the rule, however awkward, is accepted and reaches the read models', async () => {
    let position = '';
    for (const text of AWKWARD_BUT_VALID) {
      position = (await api.http.post('/customers/c-1/notes').set(as('service')).send({ text }).expect(201)).body.position;
    }
    const timeline = await api.http.get('/customers/c-1/timeline').set('X-Consistent-With', position).set(as('analyst')).expect(200);
    for (const text of AWKWARD_BUT_VALID) expect(JSON.stringify(timeline.body)).toContain(JSON.stringify(text).slice(1, -1));
    await expectProjectionsCaughtUp(api);
  });
});
