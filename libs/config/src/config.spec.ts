import { ConfigError, loadConfig, parseMasterKey } from './config.js';

const KEY = 'k'.repeat(32);
const SECRET = 's'.repeat(40);
const MASTER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1));

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('works with nothing set: local defaults, PostgreSQL event store, all apps', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/crm',
      redisUrl: 'redis://127.0.0.1:6379',
      eventStore: { kind: 'postgres' },
      port: 3000,
      adminApiKey: null,
      logLevel: 'log',
      apps: ['api', 'projector', 'worker'],
      projectorBatchSize: 500,
      leadCapture: { rateLimit: 10, rateWindowSeconds: 60, emailSecret: null, trustedProxies: 0 },
      followUps: { leadDays: 30, teamLeadDays: {}, repurchaseMarginDays: 7 },
      service: { trackingPrefix: 'CS', reopenWindowDays: 14 },
      webhooks: { maxAttempts: 8, timeoutMs: 10_000, backoffMs: 1_000, maxBackoffMs: 3_600_000 },
      logSigningKey: undefined,
      masterKey: { kind: 'development', path: '.crm/master.key' },
      previousMasterKey: null,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://crm:secret@db.internal:6543/crm_prod?sslmode=require',
      REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      PORT: '8080',
      CRM_ADMIN_API_KEY: KEY,
      LOG_LEVEL: 'DEBUG',
      CRM_APPS: 'worker, api',
      PROJECTOR_BATCH_SIZE: '50',
      LEAD_CAPTURE_RATE_LIMIT: '3',
      LEAD_CAPTURE_RATE_WINDOW_SECONDS: '120',
      LEAD_CAPTURE_EMAIL_SECRET: SECRET,
      LEAD_CAPTURE_TRUSTED_PROXIES: '1',
      FOLLOW_UP_LEAD_DAYS: '45',
      FOLLOW_UP_TEAM_LEAD_DAYS: 'enterprise = 60, smb=14',
      REPURCHASE_REMINDER_MARGIN_DAYS: '10',
      TICKET_NUMBER_PREFIX: 'SUP',
      TICKET_REOPEN_WINDOW_DAYS: '30',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_TIMEOUT_MS: '500',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_MAX_BACKOFF_MS: '800',
      LOG_SIGNING_KEY: 'ab'.repeat(32),
      CRM_MASTER_KEY_FILE: '/run/secrets/crm_master_key',
      CRM_MASTER_KEY_PREVIOUS: MASTER_KEY.toString('hex'),
    });
    expect(config).toEqual({
      databaseUrl: 'postgresql://crm:secret@db.internal:6543/crm_prod?sslmode=require',
      redisUrl: 'rediss://:pw@cache.internal:6380/2',
      eventStore: { kind: 'eventstoredb', url: 'esdb://eventstore:2113?tls=false' },
      port: 8080,
      adminApiKey: KEY,
      logLevel: 'debug',
      apps: ['api', 'worker'],
      projectorBatchSize: 50,
      leadCapture: { rateLimit: 3, rateWindowSeconds: 120, emailSecret: SECRET, trustedProxies: 1 },
      followUps: { leadDays: 45, teamLeadDays: { enterprise: 60, smb: 14 }, repurchaseMarginDays: 10 },
      service: { trackingPrefix: 'SUP', reopenWindowDays: 30 },
      webhooks: { maxAttempts: 3, timeoutMs: 500, backoffMs: 200, maxBackoffMs: 800 },
      logSigningKey: Buffer.alloc(32, 0xab),
      masterKey: { kind: 'file', variable: 'CRM_MASTER_KEY_FILE', path: '/run/secrets/crm_master_key' },
      previousMasterKey: { kind: 'value', variable: 'CRM_MASTER_KEY_PREVIOUS', key: MASTER_KEY },
    });
  });

  it.each([
    ['base64', MASTER_KEY.toString('base64')],
    ['base64 without padding', MASTER_KEY.toString('base64').replace(/=$/, '')],
    ['URL-safe base64', MASTER_KEY.toString('base64url')],
    ['hex', MASTER_KEY.toString('hex')],
    ['upper-case hex', MASTER_KEY.toString('hex').toUpperCase()],
  ])('reads CRM_MASTER_KEY as %s', (_label, value) => {
    expect(loadConfig({ CRM_MASTER_KEY: value }).masterKey).toEqual({ kind: 'value', variable: 'CRM_MASTER_KEY', key: MASTER_KEY });
    expect(parseMasterKey(`  ${value}\n`)).toEqual(MASTER_KEY);
  });

  it.each([
    ['too short', MASTER_KEY.subarray(0, 31).toString('base64')],
    ['too long', Buffer.concat([MASTER_KEY, MASTER_KEY]).toString('hex')],
    ['not base64 or hex', `${'x'.repeat(42)}!`],
  ])('refuses a master key %s without echoing it', (_label, value) => {
    const problems = problemsOf({ CRM_MASTER_KEY: value, CRM_MASTER_KEY_PREVIOUS: value });
    expect(problems).toEqual(
      ['CRM_MASTER_KEY', 'CRM_MASTER_KEY_PREVIOUS'].map(
        (name) => `${name}=(${value.length} characters): not a master key (expected 32 bytes as base64 or hex (e.g. \`openssl rand -base64 32\`))`,
      ),
    );
    expect(problems.join()).not.toContain(value);
  });

  it('refuses a master key given both ways', () => {
    expect(problemsOf({ CRM_MASTER_KEY: MASTER_KEY.toString('hex'), CRM_MASTER_KEY_FILE: '/run/secrets/key' })).toEqual([
      'CRM_MASTER_KEY_FILE="/run/secrets/key": CRM_MASTER_KEY is set too (set one of them)',
    ]);
  });

  it('reads LOG_SIGNING_KEY as hex or base64, refusing one too short without echoing it', () => {
    const key = Buffer.alloc(48, 7);
    expect(loadConfig({ LOG_SIGNING_KEY: key.toString('base64') }).logSigningKey).toEqual(key);
    expect(loadConfig({ LOG_SIGNING_KEY: key.toString('base64url') }).logSigningKey).toEqual(key);
    expect(loadConfig({ LOG_SIGNING_KEY: key.toString('hex').toUpperCase() }).logSigningKey).toEqual(key);
    expect(() => loadConfig({ LOG_SIGNING_KEY: 'c0ffee' })).toThrow(/LOG_SIGNING_KEY=\(6 characters\): too short: at least 32 bytes/);
    expect(() => loadConfig({ LOG_SIGNING_KEY: 'not a key!' })).toThrow(/LOG_SIGNING_KEY=\(10 characters\): neither hex nor base64/);
  });

  it('treats empty and blank variables as unset', () => {
    const config = loadConfig({ EVENTSTORE_URL: '', CRM_ADMIN_API_KEY: '  ', PORT: '', DATABASE_URL: ' ' });
    expect(config.eventStore).toEqual({ kind: 'postgres' });
    expect(config.adminApiKey).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/crm');
  });

  it('accepts EventStoreDB cluster and discovery connection strings', () => {
    expect(loadConfig({ EVENTSTORE_URL: 'esdb://a:2113,b:2113,c:2113?tls=false' }).eventStore).toEqual({
      kind: 'eventstoredb',
      url: 'esdb://a:2113,b:2113,c:2113?tls=false',
    });
    expect(loadConfig({ EVENTSTORE_URL: 'esdb+discover://admin:changeit@cluster.local:2113' }).eventStore.kind).toBe('eventstoredb');
  });

  it('accepts port 0 (any free port) and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each([
    ['DATABASE_URL', 'mysql://root@localhost/crm', 'DATABASE_URL="mysql://root@localhost/crm": unsupported scheme "mysql:" (expected postgres: or postgresql:)'],
    ['DATABASE_URL', 'localhost:5432/crm', 'DATABASE_URL="localhost:5432/crm": unsupported scheme "localhost:" (expected postgres: or postgresql:)'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL="not a url": not a URL (expected postgres://... or postgresql://...)'],
    ['DATABASE_URL', 'postgres://postgres@127.0.0.1:5432', 'DATABASE_URL="postgres://postgres@127.0.0.1:5432": names no database (expected postgres://user@host:port/database)'],
    ['REDIS_URL', 'http://127.0.0.1:6379', 'REDIS_URL="http://127.0.0.1:6379": unsupported scheme "http:" (expected redis: or rediss:)'],
    ['EVENTSTORE_URL', 'https://eventstore:2113', 'EVENTSTORE_URL="https://eventstore:2113": unsupported scheme "https:" (expected esdb: or esdb+discover:)'],
    ['EVENTSTORE_URL', 'eventstore:2113', 'EVENTSTORE_URL="eventstore:2113": not a connection string (expected esdb://host:2113?tls=false or esdb+discover://...)'],
    ['EVENTSTORE_URL', 'esdb://?tls=false', 'EVENTSTORE_URL="esdb://?tls=false": names no host (expected esdb://host:2113?tls=false)'],
    ['PORT', 'http', 'PORT="http": not a port number (expected an integer from 0 to 65535)'],
    ['PORT', '-1', 'PORT="-1": not a port number (expected an integer from 0 to 65535)'],
    ['PORT', '80.5', 'PORT="80.5": not a port number (expected an integer from 0 to 65535)'],
    ['PORT', '65536', 'PORT="65536": out of range (expected an integer from 0 to 65535)'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL="loud": expected one of fatal, error, warn, log, debug, verbose'],
    ['CRM_APPS', 'api,cli', 'CRM_APPS="api,cli": unknown app "cli" (expected a comma-separated list of api, projector, worker)'],
    ['CRM_APPS', ',', 'CRM_APPS=",": names no app (expected a comma-separated list of api, projector, worker)'],
  ])('rejects %s=%j, naming the variable and the value', (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });

  it('does not echo the password of a rejected URL', () => {
    expect(problemsOf({ REDIS_URL: 'http://default:s3cret@cache:6379', DATABASE_URL: 'postgres://crm:s3cret@db:5432' })).toEqual([
      'DATABASE_URL="postgres://crm:***@db:5432": names no database (expected postgres://user@host:port/database)',
      'REDIS_URL="http://default:***@cache:6379": unsupported scheme "http:" (expected redis: or rediss:)',
    ]);
  });

  it('rejects a short admin key without echoing it', () => {
    const problems = problemsOf({ CRM_ADMIN_API_KEY: 'hunter2' });
    expect(problems).toEqual([
      'CRM_ADMIN_API_KEY=(7 characters): too short: an admin key needs at least 32 characters (e.g. `openssl rand -hex 24`)',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('rejects an admin key with whitespace inside', () => {
    expect(problemsOf({ CRM_ADMIN_API_KEY: `${KEY} ${KEY}` })).toEqual(['CRM_ADMIN_API_KEY=(65 characters): contains whitespace']);
  });

  it('reports every problem at once, in one readable message', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x/crm', PORT: '99999', CRM_ADMIN_API_KEY: 'short', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((problem) => problem.split('=')[0])).toEqual(['DATABASE_URL', 'PORT', 'CRM_ADMIN_API_KEY', 'LOG_LEVEL']);
    expect(message).toBe(`invalid configuration (4 problems):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it.each([
    ['LEAD_CAPTURE_RATE_LIMIT', '0', 'not a number of submissions (expected an integer from 1 to 1000000)'],
    ['LEAD_CAPTURE_RATE_WINDOW_SECONDS', '1.5', 'not a number of seconds (expected an integer from 1 to 86400)'],
    ['LEAD_CAPTURE_TRUSTED_PROXIES', '11', 'not a number of proxies (expected an integer from 0 to 10)'],
    ['FOLLOW_UP_LEAD_DAYS', '-1', 'not a number of days (expected an integer from 0 to 3650)'],
    ['FOLLOW_UP_TEAM_LEAD_DAYS', 'smb', '"smb" is not team=days (expected e.g. enterprise=60,smb=14, days from 0 to 3650)'],
    ['FOLLOW_UP_TEAM_LEAD_DAYS', 'smb=1,smb=2', 'team "smb" is named twice'],
    ['REPURCHASE_REMINDER_MARGIN_DAYS', '3651', 'not a number of days (expected an integer from 0 to 3650)'],
    ['WEBHOOK_MAX_ATTEMPTS', '0', 'not a number of attempts (expected an integer from 1 to 100)'],
    ['WEBHOOK_TIMEOUT_MS', '10s', 'not a number of milliseconds (expected an integer from 1 to 300000)'],
    ['WEBHOOK_BACKOFF_MS', '0', 'not a number of milliseconds (expected an integer from 1 to 86400000)'],
    ['WEBHOOK_MAX_BACKOFF_MS', '500', 'shorter than WEBHOOK_BACKOFF_MS (1000)'],
  ])('refuses %s=%j', (name, value, reason) => {
    expect(problemsOf({ [name]: value })).toEqual([`${name}="${value}": ${reason}`]);
  });

  it('rejects a short e-mail secret without echoing it', () => {
    expect(problemsOf({ LEAD_CAPTURE_EMAIL_SECRET: 'hunter2' })).toEqual([
      'LEAD_CAPTURE_EMAIL_SECRET=(7 characters): too short: at least 32 characters (e.g. `openssl rand -hex 32`)',
    ]);
  });

  it.each(['0', '-5', 'many', '10001'])('refuses PROJECTOR_BATCH_SIZE=%s', (value) => {
    expect(problemsOf({ PROJECTOR_BATCH_SIZE: value })).toEqual([`PROJECTOR_BATCH_SIZE="${value}": not a batch size (expected an integer from 1 to 10000)`]);
  });
});
