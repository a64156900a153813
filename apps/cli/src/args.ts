import { isRole, KEY_NAME_PATTERN, KEY_NAME_RULE, ROLES, type Role } from '#auth';
import { InvalidPositionError, parsePosition, serializePosition } from '#event-store';
import { MASTER_KEY_RULE, parseMasterKey, type MasterKeySource } from '#config';
import { isUuid } from '#postgres';
import { AS_OF_RULE, INSTANT_RULE, parseAsOf, parseInstant, parseWholeNumber, REVISION_RULE, type AsOf } from '#audit';
import { ID_PATTERN, ID_RULE } from '#http';

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'keys-create'; readonly name: string; readonly role: Role }
  | { readonly kind: 'keys-list' }
  | { readonly kind: 'keys-revoke'; readonly id: string }
  | { readonly kind: 'keys-rotate-master'; readonly newKey: MasterKeySource; readonly batchSize?: number }
  | { readonly kind: 'replay'; readonly customerId: string; readonly fromRevision?: number; readonly toRevision?: number; readonly until?: Date }
  | { readonly kind: 'state'; readonly customerId: string; readonly asOf?: AsOf }
  | { readonly kind: 'verify'; readonly projection: string }
  | { readonly kind: 'verify-log'; readonly progress: boolean }
  | { readonly kind: 'rebuild'; readonly projection: string; readonly detach: boolean }
  | { readonly kind: 'projections' }
  | {
      readonly kind: 'projections-skip';
      readonly projection: string;
      readonly position: string;
      readonly reason: string;
      readonly version?: number;
      readonly build?: number;
    };

export const USAGE = `Usage: npm run cli -- <command>

Commands:
  keys create --name <name> --role <role>   create an API key and print it (shown this once)
  keys list                                 list API keys (never the keys themselves)
  keys revoke <id>                          revoke an API key at once
  keys rotate-master --new-key-file <path> | --new-key <key> [--batch-size <n>]
                                            re-wrap every personal-data key and secret by a new master key (events
                                            are not touched), unwrapping them with the configured one; resumable:
                                            run it again with the same new key after an interruption. Prints what
                                            to configure afterwards. <key>: 32 bytes as base64 or hex
  replay <customerId> [--from-revision <n>] [--to-revision <n>] [--until <time>]
                                            print a customer's events as recorded, one JSON per line
  state <customerId> [--as-of <time|n>]     print a customer's state as of a time or revision (default: now)
  projections                               each projection version: state, checkpoint, lag (a rebuild's progress),
                                            the event a failed one stopped at, the events skipped
  projections skip <projection> <position> --reason <text> [--version <n>] [--build <n>]
                                            let a projection stopped at the event at <position> (a poison event,
                                            shown by projections and GET /health) pass it without applying it,
                                            recording why; the projector resumes past it within seconds. Only the
                                            event it is failed at; every build of that version passes it. Default:
                                            the build serving queries (build 0 of another --version)
  rebuild <projection> [--detach]           build the read model anew from the log into new tables while the
                                            current ones serve; queries switch once it has caught up and the old
                                            tables are dropped. Runs the build here, printing its progress, until
                                            it serves (a projector takes over should this stop); --detach only
                                            requests it, for the projectors to run
  verify <projection>                       rebuild a read model from the log into scratch tables and print
                                            every row that differs from the live one (exit 1 if any)
  audit verify-log [--progress]             check the whole event log against its hashes and signed checkpoints
                                            (LOG_SIGNING_KEY): every event's hash, each stream's chain, the global
                                            order; prints the report as JSON, exit 1 if anything was altered,
                                            inserted, removed or reordered. A progress bar on stderr when it is a
                                            terminal, or with --progress
  help                                      show this help

  <name>  ${KEY_NAME_RULE}
  <role>  ${ROLES.join(' | ')}
  <n>     ${REVISION_RULE}
  <time>  ${INSTANT_RULE}; bounds are inclusive

Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crm) and the master key as the apps
do (CRM_MASTER_KEY or CRM_MASTER_KEY_FILE, else .crm/master.key); creates and migrates the
database if needed. Exit status: 0 done, 1 failed, 2 bad usage.`;

/** The command line is wrong; the message says how. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses the arguments after the program name; throws a {@link UsageError}. */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [group, action, ...rest] = argv;
  if (group === undefined || ['help', '--help', '-h'].includes(group)) return { kind: 'help' };
  if (group === 'replay' || group === 'state') return parseAuditCommand(group, argv.slice(1));
  if (group === 'projections') {
    if (action === 'skip') return parseSkip(rest);
    if (action !== undefined) throw new UsageError(`unknown command "projections ${action}" (projections alone shows their status; projections skip passes a poison event)`);
    return { kind: 'projections' };
  }
  if (group === 'rebuild') {
    const names = [action, ...rest].filter((arg) => arg !== undefined && arg !== '--detach');
    const unknown = names.find((arg) => arg.startsWith('--'));
    if (unknown !== undefined) throw new UsageError(`unknown option ${unknown} for rebuild`);
    if (names.length !== 1) throw new UsageError('rebuild takes one projection name, e.g. rebuild customer-timeline');
    return { kind: 'rebuild', projection: names[0], detach: argv.includes('--detach') };
  }
  if (group === 'audit') {
    if (action !== 'verify-log') throw new UsageError(action === undefined ? 'audit needs a command: verify-log' : `unknown command "audit ${action}"`);
    const unknown = rest.find((arg) => arg !== '--progress');
    if (unknown !== undefined) throw new UsageError(unknown.startsWith('--') ? `unknown option ${unknown} for audit verify-log` : `unexpected argument "${unknown}"`);
    return { kind: 'verify-log', progress: rest.includes('--progress') };
  }
  if (group === 'verify') {
    if (action === undefined || rest.length > 0) throw new UsageError('verify takes one projection name, e.g. verify customer-directory');
    return { kind: 'verify', projection: action };
  }
  if (group !== 'keys') throw new UsageError(`unknown command "${group}"`);
  switch (action) {
    case 'create': {
      const options = parseOptions(rest, ['name', 'role']);
      const { name, role } = options;
      if (name === undefined) throw new UsageError('keys create needs --name <name>');
      if (role === undefined) throw new UsageError('keys create needs --role <role>');
      if (!KEY_NAME_PATTERN.test(name)) throw new UsageError(`--name must be ${KEY_NAME_RULE}`);
      if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      return { kind: 'keys-create', name, role };
    }
    case 'list':
      parseOptions(rest, []);
      return { kind: 'keys-list' };
    case 'revoke': {
      const [id, ...extra] = rest;
      if (id === undefined) throw new UsageError('keys revoke needs the id of the key (see keys list)');
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      if (!isUuid(id)) throw new UsageError(`"${id}" is not a key id (a UUID, as keys list shows)`);
      return { kind: 'keys-revoke', id };
    }
    case 'rotate-master':
      return parseRotateMaster(rest);
    case undefined:
      throw new UsageError('keys needs a command: create, list, revoke or rotate-master');
    default:
      throw new UsageError(`unknown command "keys ${action}"`);
  }
}

function parseAuditCommand(kind: 'replay' | 'state', args: readonly string[]): CliCommand {
  const [customerId, ...rest] = args;
  if (customerId === undefined || customerId.startsWith('--')) throw new UsageError(`${kind} needs the id of a customer`);
  if (!ID_PATTERN.test(customerId)) throw new UsageError(`"${customerId}" is not a customer id (${ID_RULE})`);
  if (kind === 'state') {
    const { 'as-of': asOf } = parseOptions(rest, ['as-of']);
    if (asOf === undefined) return { kind, customerId };
    return { kind, customerId, asOf: parsed(parseAsOf(asOf), `--as-of must be ${AS_OF_RULE}`) };
  }
  const options = parseOptions(rest, ['from-revision', 'to-revision', 'until']);
  const revision = (option: 'from-revision' | 'to-revision') => {
    const value = options[option];
    return value === undefined ? undefined : parsed(parseWholeNumber(value), `--${option} must be ${REVISION_RULE}`);
  };
  const fromRevision = revision('from-revision');
  const toRevision = revision('to-revision');
  const until = options.until === undefined ? undefined : parsed(parseInstant(options.until), `--until must be ${INSTANT_RULE}`);
  if (fromRevision !== undefined && toRevision !== undefined && toRevision < fromRevision) {
    throw new UsageError('--to-revision must not be less than --from-revision');
  }
  return { kind, customerId, fromRevision, toRevision, until };
}

function parseSkip(args: readonly string[]): CliCommand {
  // The projection and the position first, then the options.
  const [projection, position] = args;
  if (projection === undefined || position === undefined || projection.startsWith('--') || position.startsWith('--')) {
    throw new UsageError('projections skip takes a projection and the position it stopped at, e.g. projections skip customer-timeline 1234-0 --reason "..."');
  }
  const options = parseOptions(args.slice(2), ['reason', 'version', 'build']);
  let at: string;
  try {
    at = serializePosition(parsePosition(position));
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new UsageError(error.message);
    throw error;
  }
  const reason = options.reason?.trim();
  if (reason === undefined || reason === '') throw new UsageError('projections skip needs --reason "<why passing the event is safe>": it is recorded with the skip');
  const whole = (option: 'version' | 'build') => {
    const value = options[option];
    return value === undefined ? undefined : parsed(parseWholeNumber(value), `--${option} must be a whole number (0 or more)`);
  };
  const version = whole('version');
  if (version === 0) throw new UsageError('--version must be 1 or more');
  return { kind: 'projections-skip', projection, position: at, reason, version, build: whole('build') };
}

function parseRotateMaster(args: readonly string[]): CliCommand {
  const options = parseOptions(args, ['new-key-file', 'new-key', 'batch-size']);
  const { 'new-key-file': path, 'new-key': text, 'batch-size': size } = options;
  if ((path === undefined) === (text === undefined)) throw new UsageError('keys rotate-master needs one of --new-key-file <path> or --new-key <key>');
  const batchSize = size === undefined ? undefined : parsed(parseWholeNumber(size), '--batch-size must be a whole number from 1 to 10000');
  if (batchSize !== undefined && (batchSize < 1 || batchSize > 10_000)) throw new UsageError('--batch-size must be a whole number from 1 to 10000');
  if (path !== undefined) return { kind: 'keys-rotate-master', newKey: { kind: 'file', variable: '--new-key-file', path }, batchSize };
  const key = parsed(parseMasterKey(text ?? ''), `--new-key must be ${MASTER_KEY_RULE}`);
  return { kind: 'keys-rotate-master', newKey: { kind: 'value', variable: '--new-key', key }, batchSize };
}

function parsed<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new UsageError(message);
  return value;
}

/** `--option value` and `--option=value`, each of `allowed` at most once; nothing else. */
function parseOptions(args: readonly string[], allowed: readonly string[]): Partial<Record<string, string>> {
  const options: Partial<Record<string, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match) throw new UsageError(`unexpected argument "${args[i]}"`);
    const [, option, inline] = match;
    if (!allowed.includes(option)) throw new UsageError(`unknown option --${option}`);
    if (options[option] !== undefined) throw new UsageError(`--${option} given twice`);
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${option} needs a value`);
    options[option] = value;
  }
  return options;
}
