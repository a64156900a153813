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
  ])('reads %j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each([
    [['key', 'list'], 'unknown command "key"'],
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
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
