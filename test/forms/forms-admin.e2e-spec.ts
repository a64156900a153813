import { FormsHarness, PROBLEM_JSON } from './support.js';

describe('lead-capture forms (admin)', () => {
  let h: FormsHarness;

  beforeAll(async () => {
    h = await FormsHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const post = (body: object, key?: string) => {
    const request = h.api.http.post('/forms');
    return (key === undefined ? request : request.set('Authorization', `Bearer ${key}`)).send(body);
  };

  it('refuses POST /forms without an admin key: 401 without a key, 403 for other roles', async () => {
    const body = { name: 'Newsletter' };
    const anonymous = await post(body).expect(401);
    expect(anonymous.headers['content-type']).toMatch(PROBLEM_JSON);
    for (const role of ['service', 'analyst', 'auditor'] as const) await post(body, h.api.keys[role]).expect(403);
    await h.api.http.get('/forms').set('Authorization', `Bearer ${h.api.keys.service}`).expect(403);
    expect(await h.log()).toEqual([]);
  });

  it('creates a form: its id, public key and submission path, with the defaults', async () => {
    const response = await post(
      { name: '  Trade fair  ', fields: ['budget'], requiredFields: ['name', 'budget'], campaignId: 'campaign-fair', successUrl: 'https://www.example.com/thanks' },
      h.api.keys.admin,
    ).expect(201);
    const form = response.body as Record<string, unknown>;
    expect(form).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Trade fair',
      key: expect.stringMatching(/^form_[A-Za-z0-9_-]{22}$/),
      submitPath: `/forms/${String(form.key)}/submissions`,
      fields: ['budget'],
      requiredFields: ['name', 'budget'],
      honeypotField: 'website',
      campaignId: 'campaign-fair',
      adId: null,
      affiliateSiteId: null,
      successUrl: 'https://www.example.com/thanks',
      createdAt: expect.any(String),
      disabledAt: null,
    });
    const listed = await h.api.http.get('/forms').set('Authorization', `Bearer ${h.api.keys.admin}`).expect(200);
    expect(listed.body).toContainEqual(form);
    const got = await h.api.http.get(`/forms/${String(form.id)}`).set('Authorization', `Bearer ${h.api.keys.admin}`).expect(200);
    expect(got.body).toEqual(form);
  });

  it.each([
    [{ name: 'x', fields: ['email'] }, 'fields.0'],
    [{ name: 'x', fields: ['size', 'size'] }, 'fields.1'],
    [{ name: 'x', fields: ['bad name'] }, 'fields'],
    [{ name: 'x', requiredFields: ['budget'] }, 'requiredFields.0'],
    [{ name: 'x', fields: ['url'], honeypotField: 'url' }, 'honeypotField'],
    [{ name: 'x', honeypotField: 'utm_source' }, 'honeypotField'],
    [{ name: '' }, 'name'],
    [{ name: 'x', colour: 'red' }, 'colour'],
    [{ name: 'x', successUrl: 'javascript:alert(1)' }, 'successUrl'],
  ])('refuses an invalid definition %j: 400 naming %s', async (body, field) => {
    const response = await post(body, h.api.keys.admin).expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toContain(field);
  });

  it('disables a form: its key is refused from then on (404), disabling again changes nothing', async () => {
    const form = await h.createForm();
    await h.submitJson(form, { email: 'before@example.com' }).expect(202);

    const admin = `Bearer ${h.api.keys.admin}`;
    const disabled = await h.api.http.post(`/forms/${form.id}/disable`).set('Authorization', admin).expect(200);
    expect(disabled.body).toMatchObject({ id: form.id, disabledAt: expect.any(String) });
    const again = await h.api.http.post(`/forms/${form.id}/disable`).set('Authorization', admin).expect(200);
    expect(again.body).toEqual(disabled.body);

    await h.expectNothingAppended(async () => {
      const refused = await h.submitJson(form, { email: 'after@example.com' }).expect(404);
      expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
    });
    await h.api.http.post('/forms/6f9d1c8e-2b1f-4c53-9a55-0d4b8f3e7a21/disable').set('Authorization', admin).expect(404);
    await h.api.http.post(`/forms/${form.id}/disable`).set('Authorization', `Bearer ${h.api.keys.service}`).expect(403);
  });
});
