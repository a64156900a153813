import { TEST_MASTER_KEY } from '#testing';
import { runCli } from '../../apps/cli/src/cli.js';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one CLI command line in-process against `databaseUrl` (with the tests' master key unless `env` names one), capturing what it prints. */
export async function runCliCapturing(databaseUrl: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    env: { ...(env.CRM_MASTER_KEY_FILE === undefined ? { CRM_MASTER_KEY: TEST_MASTER_KEY } : {}), ...env, DATABASE_URL: databaseUrl },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { status, stdout, stderr };
}
