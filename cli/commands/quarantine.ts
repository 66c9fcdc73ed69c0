import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { UsageError } from '../errors.ts';
import { fields, table } from '../output.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'GET /schools/{schoolId}/quarantine',
  'POST /schools/{schoolId}/quarantine/{id}/replay',
] as const;

/** Quarantined deliveries (bodies the parser did not understand): list, and replay as is or corrected. */
export function registerQuarantine(program: Command, context: Context): void {
  const quarantine = program.command('quarantine').description('deliveries kept because they were not understood (30 days)');
  quarantine.command('list <school>').action(action(context, async (ctx, command, school: string) => {
    const out = ctx.out(command);
    const items = await readAllPages(await ctx.api(command), `/schools/${seg(school)}/quarantine`, {}, (count) => out.progress(`… ${count} quarantined`));
    out.result({ items }, () => table(items, ['id', 'reason', 'contentType', 'receivedAt', ['bytes', (r) => r.body?.length ?? 0], ['truncated', (r) => r.truncated ?? false]]));
  }));
  quarantine.command('replay <school> <id>').description('runs the delivery through today’s parser; with --body-file, an operator’s corrected copy of it')
    .option('--body-file <path>', 'the corrected raw delivery (- for stdin)')
    .option('--content-type <type>', 'application/json or application/x-www-form-urlencoded (default: the record’s)')
    .action(action(context, async (ctx, command, school: string, id: string, options: { bodyFile?: string; contentType?: string }) => {
      let body: Record<string, string> | undefined;
      if (options.bodyFile !== undefined) {
        let raw: string;
        try {
          raw = readFileSync(options.bodyFile === '-' ? 0 : options.bodyFile, 'utf8');
        } catch (error) {
          throw new UsageError(`--body-file: ${(error as Error).message}`);
        }
        body = { body: raw, ...(options.contentType ? { contentType: options.contentType } : {}) };
      } else if (options.contentType) throw new UsageError('--content-type goes with --body-file');
      const answer = await (await ctx.api(command)).request('POST', `/schools/${seg(school)}/quarantine/${seg(id)}/replay`, body ? { body } : {});
      ctx.out(command).result(answer.body, () => fields(answer.body));
    }));
}
