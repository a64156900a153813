import { ApiKeyService } from '#auth';
import { createPool } from '#postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { runCliCapturing } from '../../../test/support/cli.js';

/** The CLI as `npm run cli -- ...` runs it, in process, against a fresh database it migrates itself. */
describe('the CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  const cli = (...argv: string[]) => runCliCapturing(database.url, argv);

  async function authenticate(key: string) {
    const pool = createPool(database.url);
    try {
      return await new ApiKeyService(pool).authenticate(key);
    } finally {
      await pool.end();
    }
  }

  it('creates, lists and revokes keys', async () => {
    const created = await cli('keys', 'create', '--name', 'webshop', '--role', 'service');
    expect(created).toMatchObject({ status: 0, stderr: '' });
    const [, id] = /created API key (\S+) \(name webshop, role service\)/.exec(created.stdout) ?? [];
    const [, key] = /^key: (crm_\S+)$/m.exec(created.stdout) ?? [];
    expect(await authenticate(key)).toEqual({ keyId: id, name: 'webshop', role: 'service' });

    const listed = await cli('keys', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^ID +NAME +ROLE +PREFIX +CREATED +REVOKED\\n${id} +webshop +service +${key.slice(0, 12)} +\\S+Z +-$`, 'm'));
    expect(listed.stdout).not.toContain(key);

    expect(await cli('keys', 'revoke', id)).toEqual({ status: 0, stdout: `revoked API key ${id} (name webshop, role service)\n`, stderr: '' });
    expect(await authenticate(key)).toBeNull();
    expect((await cli('keys', 'list')).stdout).toMatch(new RegExp(`^${id} .+Z +\\S+Z$`, 'm'));
  });

  it('fails with a message on a name already taken and on an unknown key', async () => {
    await cli('keys', 'create', '--name', 'billing', '--role', 'service');
    expect(await cli('keys', 'create', '--name', 'billing', '--role', 'analyst')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'error: an active API key is already named "billing": revoke it first or choose another name\n',
    });
    expect(await cli('keys', 'revoke', '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'error: no API key 0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d (see keys list)\n',
    });
  });

  it('exits 2 with the usage on a bad command line, and prints the usage on help', async () => {
    const bad = await cli('keys', 'create', '--name', 'ops', '--role', 'root');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: --role must be one of service, analyst, auditor, admin\n\nUsage: npm run cli -- <command>/);
    const help = await cli('help');
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toContain('keys create --name <name> --role <role>');
  });

  it('fails with a message when the configuration or the database is wrong', async () => {
    const listWith = (databaseUrl: string) => runCliCapturing(databaseUrl, ['keys', 'list']);

    const misconfigured = await listWith('mysql://localhost/crm');
    expect(misconfigured.status).toBe(1);
    expect(misconfigured.stderr).toContain('DATABASE_URL="mysql://localhost/crm": unsupported scheme');

    const url = new URL(database.url);
    url.port = '1'; // nothing listens there
    const unreachable = await listWith(url.toString());
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot prepare the database at DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/\S+: /);
  });
});
