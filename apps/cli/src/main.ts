// Operator commands: `npm run cli -- <command>` (after `npm run build`); `npm run cli -- help` lists them.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
