import type { Command } from 'commander';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { UsageError } from '../errors.ts';
import { fields, table } from '../output.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'GET /schools',
  'GET /schools/{schoolId}',
  'PUT /schools/{schoolId}',
  'DELETE /schools/{schoolId}',
  'PUT /schools/{schoolId}/hottok',
  'DELETE /schools/{schoolId}/hottok/previous',
  'PUT /schools/{schoolId}/hotmart-credentials',
  'GET /schools/{schoolId}/hotmart-credentials',
  'DELETE /schools/{schoolId}/hotmart-credentials',
] as const;

const SCHOOL_COLUMNS = ['schoolId', 'name', 'createdAt', 'updatedAt'];

/** Schools: GET/PUT/DELETE /schools/{schoolId}, GET /schools, the token and the Hotmart credential. */
export function registerSchools(program: Command, context: Context): void {
  const schools = program.command('schools').description('the schools this deployment serves');

  schools.command('list').description('every school (GET /schools)').action(action(context, async (ctx, command) => {
    const api = await ctx.api(command);
    const out = ctx.out(command);
    const items = await readAllPages(api, '/schools', {}, (count) => out.progress(`… ${count} schools`));
    out.result({ items }, () => table(items, SCHOOL_COLUMNS));
  }));

  schools.command('show <school>').description('a school and its status: token, credential, deliveries, waiting purchases, reconciliation (GET /schools/{schoolId})')
    .action(action(context, async (ctx, command, school: string) => {
      const { body } = await (await ctx.api(command)).request('GET', `/schools/${seg(school)}`);
      ctx.out(command).result(body, () => {
        const { status, ...rest } = body;
        return fields(rest) + '\nstatus\n' + fields(status ?? {});
      });
    }));

  schools.command('create <school>').description('creates (or renames) a school (PUT /schools/{schoolId})').requiredOption('--name <name>', 'its display name')
    .action(action(context, async (ctx, command, school: string, options: { name: string }) => {
      const { status, body } = await (await ctx.api(command)).request('PUT', `/schools/${seg(school)}`, { body: { name: options.name } });
      ctx.out(command).result(body, () => `${status === 201 ? 'created' : 'updated'}\n${fields(body)}`);
    }));

  schools.command('delete <school>').description('deletes a school and erases everything it holds, in the background (DELETE /schools/{schoolId})')
    .option('--yes', 'confirm: this cannot be undone')
    .action(action(context, async (ctx, command, school: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`deleting ${school} erases all its data: add --yes to confirm`);
      const { body } = await (await ctx.api(command)).request('DELETE', `/schools/${seg(school)}`);
      ctx.out(command).result(body, () => `${body.schoolId}: ${body.status} (its data is erased in the background)\n`);
    }));

  schools.command('set-token <school>').description("sets the school's Hotmart token (hottok); the former one stays accepted as the previous (PUT /schools/{schoolId}/hottok)")
    .option('--token <token>', 'the token (default: $HOTMART_HOTTOK, which keeps it out of the shell history)')
    .action(action(context, async (ctx, command, school: string, options: { token?: string }) => {
      const token = options.token ?? ctx.io.env.HOTMART_HOTTOK;
      if (!token) throw new UsageError('give --token <token> or set HOTMART_HOTTOK');
      await (await ctx.api(command)).request('PUT', `/schools/${seg(school)}/hottok`, { body: { token } });
      ctx.out(command).result({ schoolId: school, token: 'set' }, () => `${school}: token set (only a keyed hash is kept)\n`);
    }));

  schools.command('drop-previous-token <school>').description('stops accepting the previous token, once Hotmart sends the new one (DELETE /schools/{schoolId}/hottok/previous)')
    .action(action(context, async (ctx, command, school: string) => {
      await (await ctx.api(command)).request('DELETE', `/schools/${seg(school)}/hottok/previous`);
      ctx.out(command).result({ schoolId: school, previousToken: 'dropped' }, () => `${school}: previous token no longer accepted\n`);
    }));

  schools.command('set-credentials <school>').description("checks the school's HotConnect credential with Hotmart and stores it (PUT /schools/{schoolId}/hotmart-credentials)")
    .requiredOption('--client-id <id>', 'client_id')
    .option('--client-secret <secret>', 'client_secret (default: $HOTMART_CLIENT_SECRET)')
    .option('--basic <basic>', 'the Basic parameter (default: Base64 of id:secret)')
    .option('--sandbox', "Hotmart's sandbox")
    .action(action(context, async (ctx, command, school: string, options: { clientId: string; clientSecret?: string; basic?: string; sandbox?: boolean }) => {
      const clientSecret = options.clientSecret ?? ctx.io.env.HOTMART_CLIENT_SECRET;
      if (!clientSecret) throw new UsageError('give --client-secret <secret> or set HOTMART_CLIENT_SECRET');
      const input = { clientId: options.clientId, clientSecret, ...(options.basic ? { basic: options.basic } : {}), ...(options.sandbox ? { sandbox: true } : {}) };
      const { body } = await (await ctx.api(command)).request('PUT', `/schools/${seg(school)}/hotmart-credentials`, { body: input });
      ctx.out(command).result(body, () => `accepted by Hotmart and stored\n${fields(body)}`);
    }));

  schools.command('credentials <school>').description('the stored credential, never its secret (GET /schools/{schoolId}/hotmart-credentials)')
    .action(action(context, async (ctx, command, school: string) => {
      const { body } = await (await ctx.api(command)).request('GET', `/schools/${seg(school)}/hotmart-credentials`);
      ctx.out(command).result(body, () => fields(body));
    }));

  schools.command('delete-credentials <school>').description('removes the credential (DELETE /schools/{schoolId}/hotmart-credentials)')
    .action(action(context, async (ctx, command, school: string) => {
      await (await ctx.api(command)).request('DELETE', `/schools/${seg(school)}/hotmart-credentials`);
      ctx.out(command).result({ schoolId: school, credentials: 'deleted' }, () => `${school}: credential removed\n`);
    }));
}
