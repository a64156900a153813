import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APPS = ['api', 'projector', 'worker'];

/** Runs docker-compose (Debian's `docker-compose` package validates the file without a Docker engine). */
async function compose(...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('docker-compose', args, { cwd: ROOT, env: { PATH: process.env.PATH } });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('docker-compose is not installed, so docker-compose.yml cannot be checked: `apt-get install -y docker-compose` (CI installs it)');
    }
    throw error;
  }
}

/** Each service's block of the resolved `docker-compose config` output, by name. */
function serviceBlocks(config: string): Map<string, string> {
  const services = config.slice(config.indexOf('\nservices:\n') + 1).split(/^(?=\S)/m)[0];
  const blocks = new Map<string, string>();
  for (const block of services.split(/^(?=  \S)/m).slice(1)) blocks.set(block.trim().split(':')[0], block);
  return blocks;
}

describe('docker-compose.yml', () => {
  it('is accepted by `docker-compose config -q`', async () => {
    await expect(compose('config', '-q')).resolves.toBe('');
  });

  it('defines EventStoreDB, PostgreSQL, Redis and the three apps', async () => {
    const services = (await compose('config', '--services')).split('\n').filter(Boolean);
    expect(services.sort()).toEqual(['api', 'eventstore', 'postgres', 'projector', 'redis', 'worker']);
  });

  it('starts each app from the entry the build produces, configured for the stack', async () => {
    const blocks = serviceBlocks(await compose('config'));
    for (const app of APPS) {
      const block = blocks.get(app) ?? '';
      expect(existsSync(`${ROOT}/apps/${app}/src/main.ts`)).toBe(true);
      expect(block).toMatch(new RegExp(`command:\\n\\s+- node\\n\\s+- dist/apps/${app}/src/main\\.js\\n`));
      expect(block).toMatch(/DATABASE_URL: postgres:\/\/postgres@postgres:5432\/crm\n/);
      expect(block).toMatch(/EVENTSTORE_URL: esdb:\/\/eventstore:2113\?tls=false\n/);
      expect(block).toMatch(/REDIS_URL: redis:\/\/redis:6379\n/);
      expect(block).toMatch(/depends_on:\n\s+eventstore:\n\s+condition: service_healthy\n/);
      // The master key: one secret file for the three, never a value in the file itself.
      expect(block).toMatch(/CRM_MASTER_KEY_FILE: \/run\/secrets\/crm_master_key\n/);
      expect(block).toMatch(/secrets:\n\s+- (source: )?crm_master_key\n/);
      expect(block).not.toMatch(/CRM_MASTER_KEY:/);
    }
    expect(blocks.get('api')).toMatch(/PORT: '3000'\n/);
    expect(blocks.get('worker')).toMatch(/\n\s+redis:\n\s+condition: service_healthy\n/);
  });
});
