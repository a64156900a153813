import { parseArgs, UsageError } from './args.js';

describe('the CLI command line', () => {
  it.each([
    [[], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['--help'], { kind: 'help' }],
    [['keys', 'create', '--name', 'webshop', '--role', 'service'], { kind: 'keys-create', name: 'webshop', role: 'service' }],
    [['keys', 'create', '--role=admin', '--name=ops'], { kind: 'keys-create', name: 'ops', role: 'admin' }],
    [['keys', 'list'], { kind: 'keys-list' }],
    [['keys', 'revoke', '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d'], { kind: 'keys-revoke', id: '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d' }],
    [['replay', 'c-1'], { kind: 'replay', customerId: 'c-1' }],
    [
      ['replay', 'c-1', '--from-revision', '2', '--to-revision=10', '--until', '2026-11-20T15:00:00+01:00'],
      { kind: 'replay', customerId: 'c-1', fromRevision: 2, toRevision: 10, until: new Date('2026-11-20T14:00:00Z') },
    ],
    [['state', 'c-1'], { kind: 'state', customerId: 'c-1' }],
    [['state', 'c-1', '--as-of', '7'], { kind: 'state', customerId: 'c-1', asOf: { revision: 7 } }],
    [['state', 'c-1', '--as-of=2026-11-20T14:30:00.250Z'], { kind: 'state', customerId: 'c-1', asOf: { at: new Date('2026-11-20T14:30:00.250Z') } }],
    [['rebuild', 'customer-timeline'], { kind: 'rebuild', projection: 'customer-timeline', detach: false }],
    [['rebuild', '--detach', 'customer-timeline'], { kind: 'rebuild', projection: 'customer-timeline', detach: true }],
    [['projections'], { kind: 'projections' }],
    [['audit', 'verify-log'], { kind: 'verify-log', progress: false }],
    [['audit', 'verify-log', '--progress'], { kind: 'verify-log', progress: true }],
    [
      ['projections', 'skip', 'customer-timeline', '1234-5', '--reason', 'test data from the old importer'],
      { kind: 'projections-skip', projection: 'customer-timeline', position: '1234-5', reason: 'test data from the old importer' },
    ],
    [
      ['projections', 'skip', 'customer-directory', '0012-0', '--build=2', '--reason= dup ', '--version', '3'],
      { kind: 'projections-skip', projection: 'customer-directory', position: '12-0', reason: 'dup', version: 3, build: 2 },
    ],
  ])('reads %j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [['key', 'list'], 'unknown command "key"'],
    [['audit'], 'audit needs a command: verify-log'],
    [['audit', 'verify'], 'unknown command "audit verify"'],
    [['audit', 'verify-log', '--fast'], 'unknown option --fast for audit verify-log'],
    [['audit', 'verify-log', 'now'], 'unexpected argument "now"'],
    [['keys'], 'keys needs a command: create, list or revoke'],
    [['keys', 'delete'], 'unknown command "keys delete"'],
    [['keys', 'create', '--role', 'service'], 'keys create needs --name <name>'],
    [['keys', 'create', '--name', 'webshop'], 'keys create needs --role <role>'],
    [['keys', 'create', '--name', '--role', 'service'], '--name needs a value'],
    [['keys', 'create', '--name', 'webshop', '--role'], '--role needs a value'],
    [['keys', 'create', '--name', 'web shop', '--role', 'service'], '--name must be'],
    [['keys', 'create', '--name', 'webshop', '--role', 'root'], '--role must be one of service, analyst, auditor, admin'],
    [['keys', 'create', '--name', 'a', '--name', 'b', '--role', 'admin'], '--name given twice'],
    [['keys', 'create', '--name', 'a', '--role', 'admin', '--force'], 'unknown option --force'],
    [['keys', 'list', 'all'], 'unexpected argument "all"'],
    [['keys', 'revoke'], 'keys revoke needs the id'],
    [['keys', 'revoke', '42'], '"42" is not a key id'],
    [['keys', 'revoke', '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d', 'x'], 'unexpected argument "x"'],
    [['rebuild'], 'rebuild takes one projection name'],
    [['rebuild', 'a', 'b'], 'rebuild takes one projection name'],
    [['rebuild', 'a', '--force'], 'unknown option --force for rebuild'],
    [['replay'], 'replay needs the id of a customer'],
    [['state', '--as-of', '1'], 'state needs the id of a customer'],
    [['replay', 'not an id'], '"not an id" is not a customer id'],
    [['replay', 'c-1', 'c-2'], 'unexpected argument "c-2"'],
    [['replay', 'c-1', '--from-revision', '-1'], '--from-revision must be a revision'],
    [['replay', 'c-1', '--to-revision', '1.5'], '--to-revision must be a revision'],
    [['replay', 'c-1', '--from-revision', '3', '--to-revision', '2'], '--to-revision must not be less than --from-revision'],
    [['replay', 'c-1', '--until', '2026-11-20'], '--until must be an ISO 8601 timestamp with a time zone'],
    [['replay', 'c-1', '--as-of', '1'], 'unknown option --as-of'],
    [['state', 'c-1', '--as-of', 'yesterday'], '--as-of must be a revision (an integer of 0 or more) or an ISO 8601 timestamp'],
    [['state', 'c-1', '--as-of'], '--as-of needs a value'],
    [['projections', 'list'], 'unknown command "projections list"'],
    [['projections', 'skip'], 'projections skip takes a projection and the position it stopped at'],
    [['projections', 'skip', 'customer-timeline'], 'projections skip takes a projection and the position it stopped at'],
    [['projections', 'skip', 'customer-timeline', '--reason', 'x'], 'projections skip takes a projection and the position it stopped at'],
    [['projections', 'skip', 'customer-timeline', '12-0'], 'projections skip needs --reason "<why passing the event is safe>"'],
    [['projections', 'skip', 'customer-timeline', '12-0', '--reason', '  '], 'projections skip needs --reason'],
    [['projections', 'skip', 'customer-timeline', '12-0', '--reason'], '--reason needs a value'],
    [['projections', 'skip', 'customer-timeline', 'latest', '--reason', 'x'], '"latest" is not a log position'],
    [['projections', 'skip', 'customer-timeline', '12-0', '--reason', 'x', '--build', 'two'], '--build must be a whole number'],
    [['projections', 'skip', 'customer-timeline', '12-0', '--reason', 'x', '--version', '0'], '--version must be 1 or more'],
    [['projections', 'skip', 'customer-timeline', '12-0', '--reason', 'x', '--force'], 'unknown option --force'],
    [['projections', 'skip', 'customer-timeline', '12-0', '13-0', '--reason', 'x'], 'unexpected argument "13-0"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
