#!/usr/bin/env node
// `npx hotmart-enrollments`: the CLI's TypeScript runs through tsx, as the project's scripts do (no build step).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
