import type { Command } from 'commander';
import type { Route } from '../client.ts';
import { call } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { table } from '../output.ts';

/** The routes these commands call (test/unit/cli-openapi.test.ts checks them against docs/openapi.json). */
export const ROUTES = { trail: 'GET /schools/{schoolId}/audit' } as const satisfies Record<string, Route>;

/** The school's audit trail (README, "Audit"): who changed what, and when, newest first. */
export function registerAudit(program: Command, context: Context): void {
  program.command('audit <school>').description('who changed what, and when: the school’s audit trail, newest first, also for a deleted school (GET /schools/{schoolId}/audit)')
    .option('--limit <n>', '1–100 records (default 50)')
    .option('--cursor <cursor>', 'the page after this cursor (the last page’s nextCursor)')
    .action(action(context, async (ctx, command, school: string, options: { limit?: string; cursor?: string }) => {
      const { body } = await call(await ctx.api(command), ROUTES.trail, { schoolId: school }, { query: { limit: options.limit, cursor: options.cursor } });
      ctx.out(command).result(body, () => table(body.items, ['at', 'by', 'action', 'ids', 'email', 'change']) + (body.nextCursor ? `more: --cursor ${body.nextCursor}\n` : ''));
    }));
}
