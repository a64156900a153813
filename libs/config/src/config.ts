
/**
 * The process configuration, read from environment variables. Every variable has a default that
 * works on a local machine; whatever is set is checked at start, and every problem is reported at
 * once, naming the variable and the value it had.
 */

export const APP_NAMES = ['api', 'projector', 'worker'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** Nest's log levels, most severe first; a level enables itself and everything more severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type EventStoreConfig =
  /** The embedded default: the event log lives in the PostgreSQL database at DATABASE_URL. */
  | { readonly kind: 'postgres' }
  /** EventStoreDB (production): EVENTSTORE_URL is its connection string. */
  | { readonly kind: 'eventstoredb'; readonly url: string };

export interface AppConfig {
  /** DATABASE_URL: PostgreSQL for read models (and the event log, unless EVENTSTORE_URL is set). */
  readonly databaseUrl: string;
  /** REDIS_URL: Redis for BullMQ jobs. */
  readonly redisUrl: string;
  /** EVENTSTORE_URL: unset for the PostgreSQL event store, an `esdb://` connection string for EventStoreDB. */
  readonly eventStore: EventStoreConfig;
  /** PORT: where the HTTP API listens (0: any free port). */
  readonly port: number;
  /** CRM_ADMIN_API_KEY: an admin API key provisioned at start, or `null`. */
  readonly adminApiKey: string | null;
  /** LOG_LEVEL: the least severe level logged. */
  readonly logLevel: LogLevel;
  /** CRM_APPS: which apps `apps/main` runs in one process. */
  readonly apps: readonly AppName[];
  /** PROJECTOR_BATCH_SIZE: events a projection applies per transaction. */
  readonly projectorBatchSize: number;
  /** Public lead-capture forms (POST /forms/{formKey}/submissions). */
  readonly leadCapture: LeadCaptureConfig;
  /** Follow-ups before a contract expires. */
  readonly followUps: FollowUpConfig;
  /** The service desk: tracking numbers and reopening. */
  readonly service: ServiceConfig;
  /** Outbound webhooks: how deliveries are attempted. */
  readonly webhooks: WebhookConfig;
  /** CRM_MASTER_KEY or CRM_MASTER_KEY_FILE: the key-encryption key of data keys and secrets, never stored in the database. */
  readonly masterKey: MasterKeySource;
  /** CRM_MASTER_KEY_PREVIOUS or CRM_MASTER_KEY_PREVIOUS_FILE: the key being rotated away from, still read during a rotation; or `null`. */
  readonly previousMasterKey: MasterKeySource | null;
  /**
   * LOG_SIGNING_KEY (hex or base64, at least 32 bytes): the HMAC key of the event log's signed
   * checkpoints; unset (`undefined`): a key generated for the database, kept wrapped by the master key.
   */
  readonly logSigningKey: Buffer | undefined;
}

/** Where the master key comes from; files are read (and the development key created) when a process starts. */
export type MasterKeySource =
  /** The key itself, from the variable named. */
  | { readonly kind: 'value'; readonly variable: string; readonly key: Buffer }
  /** A file holding the key (base64 or hex), named by the variable. */
  | { readonly kind: 'file'; readonly variable: string; readonly path: string }
  /** Neither variable set: a key generated on first start into `path` (relative to the working directory); not for production. */
  | { readonly kind: 'development'; readonly path: string };

export interface WebhookConfig {
  /** WEBHOOK_MAX_ATTEMPTS: attempts of a round before a delivery is dead-lettered (a manual retry starts a new round). */
  readonly maxAttempts: number;
  /** WEBHOOK_TIMEOUT_MS: how long a receiver has to answer an attempt. */
  readonly timeoutMs: number;
  /** WEBHOOK_BACKOFF_MS: the wait after the first failed attempt; it doubles after each further one. */
  readonly backoffMs: number;
  /** WEBHOOK_MAX_BACKOFF_MS: the longest wait between two attempts. */
  readonly maxBackoffMs: number;
}

export interface FollowUpConfig {
  /** FOLLOW_UP_LEAD_DAYS: days before a contract's end its follow-up is due, unless the contract says. */
  readonly leadDays: number;
  /** FOLLOW_UP_TEAM_LEAD_DAYS (`team=days,...`): the same per team of the customer's owner; beats the default, not the contract. */
  readonly teamLeadDays: Readonly<Record<string, number>>;
  /** REPURCHASE_REMINDER_MARGIN_DAYS: days after a customer's expected next purchase day a reminder falls due. */
  readonly repurchaseMarginDays: number;
}

export interface ServiceConfig {
  /** TICKET_NUMBER_PREFIX: the letters before the year in a tracking number (`CS-2026-004711`). */
  readonly trackingPrefix: string;
  /** TICKET_REOPEN_WINDOW_DAYS: days after its resolution a ticket may still be reopened. */
  readonly reopenWindowDays: number;
}

export interface LeadCaptureConfig {
  /** LEAD_CAPTURE_RATE_LIMIT: submissions one client IP may send to one form per window. */
  readonly rateLimit: number;
  /** LEAD_CAPTURE_RATE_WINDOW_SECONDS: the length of that window. */
  readonly rateWindowSeconds: number;
  /**
   * LEAD_CAPTURE_EMAIL_SECRET: the HMAC key that turns an e-mail address into the name of its claim
   * stream; `null`: a secret generated once per database (by the lead-capture migration) is used.
   */
  readonly emailSecret: string | null;
  /** LEAD_CAPTURE_TRUSTED_PROXIES: reverse proxies in front of the API whose X-Forwarded-For is believed. */
  readonly trustedProxies: number;
}

export const DEFAULTS = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/crm',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PORT: '3000',
  LOG_LEVEL: 'log',
  CRM_APPS: APP_NAMES.join(','),
  PROJECTOR_BATCH_SIZE: '500',
  LEAD_CAPTURE_RATE_LIMIT: '10',
  LEAD_CAPTURE_RATE_WINDOW_SECONDS: '60',
  LEAD_CAPTURE_TRUSTED_PROXIES: '0',
  FOLLOW_UP_LEAD_DAYS: '30',
  FOLLOW_UP_TEAM_LEAD_DAYS: '',
  REPURCHASE_REMINDER_MARGIN_DAYS: '7',
  TICKET_NUMBER_PREFIX: 'CS',
  TICKET_REOPEN_WINDOW_DAYS: '14',
  WEBHOOK_MAX_ATTEMPTS: '8',
  WEBHOOK_TIMEOUT_MS: '10000',
  WEBHOOK_BACKOFF_MS: '1000',
  WEBHOOK_MAX_BACKOFF_MS: '3600000',
  DEVELOPMENT_MASTER_KEY_FILE: '.crm/master.key',
} as const;

export const MIN_LOG_SIGNING_KEY_BYTES = 32;
export const MIN_ADMIN_API_KEY_LENGTH = 32;
export const MIN_EMAIL_SECRET_LENGTH = 32;

/** Variables whose values are never echoed back, not even into a log line. */
const SECRETS = new Set(['CRM_ADMIN_API_KEY', 'LEAD_CAPTURE_EMAIL_SECRET', 'CRM_MASTER_KEY', 'CRM_MASTER_KEY_PREVIOUS', 'LOG_SIGNING_KEY']);

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_RULE = `${MASTER_KEY_BYTES} bytes as base64 or hex (e.g. \`openssl rand -base64 ${MASTER_KEY_BYTES}\`)`;

/** One or more variables are invalid; `problems` lists each, naming the variable and its value. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The URL with its password (if any) replaced by `***`, for logs and messages. */
export function redactPassword(url: string): string {
  return url.replace(/(:\/\/[^:/?#@]*:)[^@/?#]*@/, '$1***@');
}

/** Reads and validates the configuration; throws a ConfigError listing every problem found. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const problems: string[] = [];
  /** The parsed value; on a problem, notes it and returns a placeholder that is never used (loadConfig throws). */
  const read = <T>(name: string, fallback: string, parse: (value: string) => T): T => {
    const value = valueOf(env, name) ?? fallback;
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      // Secrets are never echoed back, not even into a log line: neither a key nor a URL's password.
      const shown = SECRETS.has(name) ? `(${value.length} characters)` : JSON.stringify(redactPassword(value));
      problems.push(`${name}=${shown}: ${error.reason}`);
      return undefined as T;
    }
  };

  const databaseUrl = read('DATABASE_URL', DEFAULTS.DATABASE_URL, parseDatabaseUrl);
  const redisUrl = read('REDIS_URL', DEFAULTS.REDIS_URL, (value) => parseUrl(value, ['redis:', 'rediss:']));
  const eventStore: EventStoreConfig = isSet(env, 'EVENTSTORE_URL')
    ? { kind: 'eventstoredb', url: read('EVENTSTORE_URL', '', parseEventStoreUrl) }
    : { kind: 'postgres' };
  const port = read('PORT', DEFAULTS.PORT, parsePort);
  const adminApiKey = isSet(env, 'CRM_ADMIN_API_KEY') ? read('CRM_ADMIN_API_KEY', '', parseAdminApiKey) : null;
  const logLevel = read('LOG_LEVEL', DEFAULTS.LOG_LEVEL, (value) => oneOf(value.toLowerCase(), LOG_LEVELS));
  const apps = read('CRM_APPS', DEFAULTS.CRM_APPS, parseApps);
  const projectorBatchSize = read('PROJECTOR_BATCH_SIZE', DEFAULTS.PROJECTOR_BATCH_SIZE, (value) => parseInteger(value, 1, 10_000, 'a batch size'));
  const leadCapture: LeadCaptureConfig = {
    rateLimit: read('LEAD_CAPTURE_RATE_LIMIT', DEFAULTS.LEAD_CAPTURE_RATE_LIMIT, (value) => parseInteger(value, 1, 1_000_000, 'a number of submissions')),
    rateWindowSeconds: read('LEAD_CAPTURE_RATE_WINDOW_SECONDS', DEFAULTS.LEAD_CAPTURE_RATE_WINDOW_SECONDS, (value) => parseInteger(value, 1, 86_400, 'a number of seconds')),
    emailSecret: isSet(env, 'LEAD_CAPTURE_EMAIL_SECRET') ? read('LEAD_CAPTURE_EMAIL_SECRET', '', parseEmailSecret) : null,
    trustedProxies: read('LEAD_CAPTURE_TRUSTED_PROXIES', DEFAULTS.LEAD_CAPTURE_TRUSTED_PROXIES, (value) => parseInteger(value, 0, 10, 'a number of proxies')),
  };

  const followUps: FollowUpConfig = {
    leadDays: read('FOLLOW_UP_LEAD_DAYS', DEFAULTS.FOLLOW_UP_LEAD_DAYS, (value) => parseInteger(value, 0, 3_650, 'a number of days')),
    teamLeadDays: read('FOLLOW_UP_TEAM_LEAD_DAYS', DEFAULTS.FOLLOW_UP_TEAM_LEAD_DAYS, parseTeamLeadDays),
    repurchaseMarginDays: read('REPURCHASE_REMINDER_MARGIN_DAYS', DEFAULTS.REPURCHASE_REMINDER_MARGIN_DAYS, (value) => parseInteger(value, 0, 3_650, 'a number of days')),
  };

  const service: ServiceConfig = {
    trackingPrefix: read('TICKET_NUMBER_PREFIX', DEFAULTS.TICKET_NUMBER_PREFIX, parseTrackingPrefix),
    reopenWindowDays: read('TICKET_REOPEN_WINDOW_DAYS', DEFAULTS.TICKET_REOPEN_WINDOW_DAYS, (value) => parseInteger(value, 0, 3_650, 'a number of days')),
  };

  const milliseconds = (value: string) => parseInteger(value, 1, 86_400_000, 'a number of milliseconds');
  const webhooks: WebhookConfig = {
    maxAttempts: read('WEBHOOK_MAX_ATTEMPTS', DEFAULTS.WEBHOOK_MAX_ATTEMPTS, (value) => parseInteger(value, 1, 100, 'a number of attempts')),
    timeoutMs: read('WEBHOOK_TIMEOUT_MS', DEFAULTS.WEBHOOK_TIMEOUT_MS, (value) => parseInteger(value, 1, 300_000, 'a number of milliseconds')),
    backoffMs: read('WEBHOOK_BACKOFF_MS', DEFAULTS.WEBHOOK_BACKOFF_MS, milliseconds),
    maxBackoffMs: read('WEBHOOK_MAX_BACKOFF_MS', DEFAULTS.WEBHOOK_MAX_BACKOFF_MS, milliseconds),
  };
  if (webhooks.maxBackoffMs < webhooks.backoffMs) {
    problems.push(`WEBHOOK_MAX_BACKOFF_MS=${JSON.stringify(String(webhooks.maxBackoffMs))}: shorter than WEBHOOK_BACKOFF_MS (${webhooks.backoffMs})`);
  }

  const masterKeyFrom = (variable: string, fileVariable: string): MasterKeySource | null => {
    if (isSet(env, variable) && isSet(env, fileVariable)) {
      problems.push(`${fileVariable}=${JSON.stringify(valueOf(env, fileVariable))}: ${variable} is set too (set one of them)`);
      return null;
    }
    if (isSet(env, variable)) return { kind: 'value', variable, key: read(variable, '', masterKeyOrInvalid) };
    if (isSet(env, fileVariable)) return { kind: 'file', variable: fileVariable, path: read(fileVariable, '', (value) => value) };
    return null;
  };
  const masterKey = masterKeyFrom('CRM_MASTER_KEY', 'CRM_MASTER_KEY_FILE') ?? { kind: 'development', path: DEFAULTS.DEVELOPMENT_MASTER_KEY_FILE };
  const previousMasterKey = masterKeyFrom('CRM_MASTER_KEY_PREVIOUS', 'CRM_MASTER_KEY_PREVIOUS_FILE');

  const logSigningKey = isSet(env, 'LOG_SIGNING_KEY') ? read('LOG_SIGNING_KEY', '', parseSigningKey) : undefined;

  if (problems.length > 0) throw new ConfigError(problems);
  return { databaseUrl, redisUrl, eventStore, port, adminApiKey, logLevel, apps, projectorBatchSize, leadCapture, followUps, service, webhooks, masterKey, previousMasterKey, logSigningKey };
}

function parseTrackingPrefix(value: string): string {
  if (!/^[A-Z]{1,6}$/.test(value)) throw new Invalid('1 to 6 capital letters');
  return value;
}

/** Thrown by a parser: why the value is not acceptable. */
class Invalid {
  constructor(readonly reason: string) {}
}

/** An empty or blank variable counts as unset (docker-compose and shells often pass `VAR=`). */
function valueOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return valueOf(env, name) !== undefined;
}

function parseUrl(value: string, schemes: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Invalid(`not a URL (expected ${schemes.map((s) => `${s}//...`).join(' or ')})`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new Invalid(`unsupported scheme "${url.protocol}" (expected ${schemes.join(' or ')})`);
  }
  if (!url.hostname) throw new Invalid('names no host');
  return value;
}

function parseDatabaseUrl(value: string): string {
  const url = parseUrl(value, ['postgres:', 'postgresql:']);
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!database) throw new Invalid('names no database (expected postgres://user@host:port/database)');
  if (database.includes('/')) throw new Invalid(`"${database}" is not a database name`);
  return url;
}

/** Not a WHATWG URL when it lists several cluster nodes (`esdb://a:2113,b:2113?tls=false`), so checked by shape. */
function parseEventStoreUrl(value: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(value);
  if (!match) throw new Invalid('not a connection string (expected esdb://host:2113?tls=false or esdb+discover://...)');
  const [, scheme, hosts] = match;
  if (!['esdb', 'esdb+discover'].includes(scheme.toLowerCase())) {
    throw new Invalid(`unsupported scheme "${scheme}:" (expected esdb: or esdb+discover:)`);
  }
  const nodes = hosts.replace(/^[^@]*@/, '').split(',');
  if (nodes.some((node) => !/^[^:\s]+(:\d{1,5})?$/.test(node))) throw new Invalid('names no host (expected esdb://host:2113?tls=false)');
  return value;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value)) throw new Invalid('not a port number (expected an integer from 0 to 65535)');
  const port = Number(value);
  if (port > 65535) throw new Invalid('out of range (expected an integer from 0 to 65535)');
  return port;
}

/** A whole number within min..max; `what` names it in the problem (`not a batch size (expected ...)`). */
function parseInteger(value: string, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new Invalid(`not ${what} (expected an integer from ${min} to ${max})`);
  return Number(value);
}

/**
 * A master key as written in a variable, a key file or on the command line: 32 bytes in hex (64
 * digits) or base64 (standard or URL-safe, padding optional); surrounding whitespace is ignored.
 * `undefined` for anything else.
 */
export function parseMasterKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === MASTER_KEY_BYTES ? key : undefined;
}

function masterKeyOrInvalid(value: string): Buffer {
  const key = parseMasterKey(value);
  if (key === undefined) throw new Invalid(`not a master key (expected ${MASTER_KEY_RULE})`);
  return key;
}

function parseEmailSecret(value: string): string {
  if (value.length < MIN_EMAIL_SECRET_LENGTH) throw new Invalid(`too short: at least ${MIN_EMAIL_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`);
  return value;
}

/** Hex (an even number of hex digits) or base64 (standard or URL-safe, padding optional). */
function parseSigningKey(value: string): Buffer {
  let key: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value, 'base64');
  else throw new Invalid('neither hex nor base64 (e.g. `openssl rand -hex 32`)');
  if (key.length < MIN_LOG_SIGNING_KEY_BYTES) throw new Invalid(`too short: at least ${MIN_LOG_SIGNING_KEY_BYTES} bytes (e.g. \`openssl rand -hex 32\`)`);
  return key;
}

function parseAdminApiKey(value: string): string {
  const problems: string[] = [];
  if (value.length < MIN_ADMIN_API_KEY_LENGTH) {
    problems.push(`too short: an admin key needs at least ${MIN_ADMIN_API_KEY_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
  }
  if (/\s/.test(value)) problems.push('contains whitespace');
  if (problems.length > 0) throw new Invalid(problems.join('; '));
  return value;
}

/** `enterprise=60,smb=14`: team names (as reps are onboarded with) and days; empty: none. */
function parseTeamLeadDays(value: string): Record<string, number> {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((entry): [string, number] => {
      const match = /^(.+?)\s*=\s*(\d+)$/.exec(entry);
      if (!match || Number(match[2]) > 3_650) throw new Invalid(`"${entry}" is not team=days (expected e.g. enterprise=60,smb=14, days from 0 to 3650)`);
      return [match[1], Number(match[2])];
    });
  const teams = entries.map(([team]) => team);
  const twice = teams.find((team, i) => teams.indexOf(team) !== i);
  if (twice !== undefined) throw new Invalid(`team "${twice}" is named twice`);
  // fromEntries defines own properties: a team named `__proto__` stays a team.
  return Object.fromEntries(entries);
}

function parseApps(value: string): AppName[] {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((name) => !(APP_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Invalid(`unknown app ${unknown.map((n) => `"${n}"`).join(', ')} (expected a comma-separated list of ${APP_NAMES.join(', ')})`);
  if (names.length === 0) throw new Invalid(`names no app (expected a comma-separated list of ${APP_NAMES.join(', ')})`);
  return APP_NAMES.filter((name) => names.includes(name));
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Invalid(`expected one of ${allowed.join(', ')}`);
  return value as T;
}
