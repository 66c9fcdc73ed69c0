import type { Command } from 'commander';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { fields, table } from '../output.ts';
import { targetText } from './targets.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'GET /schools/{schoolId}/events',
  'GET /schools/{schoolId}/events/{eventId}',
  'POST /schools/{schoolId}/events/{eventId}/replay',
] as const;

/** What one event did, in a line: its outcome, the transaction's change and the targets it touched. */
export const eventRow = (event: any) => ({
  receivedAt: event.receivedAt,
  event: event.event,
  transaction: event.transaction,
  source: event.source,
  outcome: event.outcome?.status,
  effect: (event.outcome?.effects ?? []).map((e: any) => `${e.from ?? '∅'}→${e.to} ${targetText(e.targets)}`).join('; ') || null,
  detail: event.outcome?.detail,
  id: event.id,
});
export const EVENT_COLUMNS = ['receivedAt', 'event', 'transaction', 'source', 'outcome', 'effect', 'id'];

/** Events: a transaction's (tx), one event (event show), a replay through today's rules (event replay). */
export function registerEvents(program: Command, context: Context): void {
  program.command('tx <school> <transaction>').description('every event of a transaction, in order of receipt, and what each did (GET /events?transaction=)')
    .action(action(context, async (ctx, command, school: string, transaction: string) => {
      const out = ctx.out(command);
      const events = await readAllPages(await ctx.api(command), `/schools/${seg(school)}/events`, { transaction }, (count) => out.progress(`… ${count} events`));
      out.result({ transaction, events }, () => `transaction ${transaction}\n${table(events.map(eventRow), EVENT_COLUMNS)}` + events.map((e) => `${e.id}: ${e.outcome?.detail ?? ''}\n`).join(''));
    }));

  const event = program.command('event').description('one stored event');
  event.command('show <school> <eventId>').action(action(context, async (ctx, command, school: string, eventId: string) => {
    const { body } = await (await ctx.api(command)).request('GET', `/schools/${seg(school)}/events/${seg(eventId)}`);
    ctx.out(command).result(body, () => fields(eventRow(body)) + fields({ productId: body.productId, offerCode: body.offerCode, buyerEmail: body.buyerEmail, subscriberCode: body.subscriberCode, replayedAt: body.replayedAt }));
  }));
  event.command('replay <school> <eventId>').description('re-applies a stored event through today’s rules and mappings (idempotent)')
    .action(action(context, async (ctx, command, school: string, eventId: string) => {
      const { body } = await (await ctx.api(command)).request('POST', `/schools/${seg(school)}/events/${seg(eventId)}/replay`);
      ctx.out(command).result(body, () => fields(body));
    }));
}
