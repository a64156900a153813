import { PROBLEM_CONTENT_TYPE } from '#http';
import { startTestApi, type TestApi } from './support/api.js';

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, { security?: unknown; requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  readonly components: { readonly schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>; readonly securitySchemes: Record<string, unknown> };
}

describe('the OpenAPI document', () => {
  let api: TestApi;
  let document: OpenApiDocument;

  beforeAll(async () => {
    api = await startTestApi();
    // Public: no key needed.
    document = (await api.http.get('/openapi.json').expect(200).expect('Content-Type', /^application\/json/)).body;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('declares the API key as a bearer scheme', () => {
    expect(document.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists the api-keys routes, secured, with their schemas', () => {
    const create = document.paths['/api-keys'].post;
    expect(create.security).toEqual([{ 'api-key': [] }]);
    expect(create.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateApiKeyDto' } } } });
    expect(create.responses['201'].content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/CreatedApiKeyDto' } } });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '403', '409']);
    expect(create.responses['401'].content).toEqual({ [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } });
    expect(document.paths['/api-keys'].get.responses['200'].content).toEqual({
      'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/ApiKeyDto' } } },
    });
    expect(Object.keys(document.paths['/api-keys/{id}'].delete.responses).sort()).toEqual(['204', '400', '401', '403', '404']);

    const { schemas } = document.components;
    expect(schemas.CreateApiKeyDto.properties.role).toMatchObject({ enum: ['service', 'analyst', 'auditor', 'admin'], example: 'service' });
    expect(schemas.CreateApiKeyDto.required).toEqual(['name', 'role']);
    expect(Object.keys(schemas.ApiKeyDto.properties)).not.toContain('key');
    expect(Object.keys(schemas.ProblemDetailsDto.properties)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'errors']);
  });

  it('shows /health as public', () => {
    expect(document.paths['/health'].get.security).toBeUndefined();
  });

  it('is browsable at /docs', async () => {
    const page = await api.http.get('/docs').expect(200).expect('Content-Type', /html/);
    expect(page.text).toContain('swagger-ui');
    await api.http.get('/docs/swagger-ui-init.js').expect(200);
  });
});
