import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerEvents } from './commands/events.ts';
import { registerFeed } from './commands/feed.ts';
import { registerMappings } from './commands/mappings.ts';
import { registerQuarantine } from './commands/quarantine.ts';
import { registerReconcile } from './commands/reconcile.ts';
import { registerSchools } from './commands/schools.ts';
import { registerSendTest } from './commands/send-test.ts';
import { registerStudents } from './commands/students.ts';
import { createContext } from './context.ts';
import { ApiError, UsageError } from './errors.ts';
import type { Io } from './output.ts';
import type { Credentials } from './sigv4.ts';

/** Exit codes: 0 done, 1 failed (the API refused, the network, AWS), 2 usage (a command line it cannot run). */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

export function buildProgram(io: Io, credentials?: () => Promise<Credentials>): Command {
  const program = new Command('hotmart-enrollments')
    .description('Operate hotmart-enrollments: schools, mappings, students, transactions, quarantine, events, reconciliation, the feed, the audit trail, erasure.')
    .option('--stage <stage>', 'a deployed stage: its API URL from the stack hotmart-enrollments-<stage>, every request signed with SigV4 (AWS credential chain)')
    .option('--url <url>', 'any API URL (signed with SigV4 unless it is 127.0.0.1/localhost, e.g. npm start at http://127.0.0.1:3000)')
    .option('--region <region>', 'AWS region of the stack (default AWS_REGION, else us-east-1)')
    .option('--json', 'machine output (JSON) instead of tables')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const context = createContext(io, credentials);
  // One file per command group, each exporting the API routes it calls (`routes`).
  for (const register of [registerSchools, registerMappings, registerStudents, registerEvents, registerQuarantine, registerReconcile, registerSendTest, registerFeed, registerAudit]) register(program, context);
  return program;
}

export async function runCli(argv: string[], io: Io, credentials?: () => Promise<Credentials>): Promise<number> {
  const program = buildProgram(io, credentials);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.done;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.done : EXIT.usage;
    if (error instanceof UsageError || error instanceof InvalidArgumentError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`error: ${error instanceof ApiError ? error.message : (error as Error).message}\n`);
    return EXIT.failed;
  }
}
