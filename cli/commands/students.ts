import type { Command } from 'commander';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { UsageError } from '../errors.ts';
import { fields, table } from '../output.ts';
import { eventRow, EVENT_COLUMNS } from './events.ts';
import { parseTarget, targetText } from './targets.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'GET /schools/{schoolId}/enrollments',
  'GET /schools/{schoolId}/events',
  'GET /schools/{schoolId}/quarantine',
  'PUT /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}',
  'DELETE /schools/{schoolId}/students/{email}/enrollments/{targetType}/{targetId}',
  'DELETE /schools/{schoolId}/students/{email}',
  'DELETE /schools/{schoolId}',
] as const;

const ENROLLMENT_COLUMNS: Parameters<typeof table>[1] = [
  ['target', (e) => targetText([e.target])],
  'status',
  'hasAccess',
  'accessUntil',
  ['transactions', (e) => e.transactions.map((t: any) => `${t.transaction} ${t.status}`).join(', ')],
  ['manual', (e) => (e.manual ? `granted ${e.manual.grantedAt}${e.manual.until ? ` until ${e.manual.until}` : ''}` : null)],
];

/** A quarantined delivery's body names this buyer (JSON or form; the API keeps the e-mail, nothing else personal). */
const holdsEmail = (record: any, email: string) => typeof record.body === 'string' && decodeURIComponent(record.body.replace(/\+/g, ' ')).toLowerCase().includes(email.toLowerCase());

/** A student: what they can access and why (student), a grant by hand (grant, remove), the erasure (erase). */
export function registerStudents(program: Command, context: Context): void {
  program.command('student <school> <email>')
    .description('"I paid and have no access": the enrollments, the events that shaped them, anything quarantined or waiting for a mapping')
    .action(action(context, async (ctx, command, school: string, email: string) => {
      const api = await ctx.api(command);
      const out = ctx.out(command);
      const base = `/schools/${seg(school)}`;
      const enrollments = (await api.request('GET', `${base}/enrollments`, { query: { email } })).body.items;
      const events = await readAllPages(api, `${base}/events`, { email }, (count) => out.progress(`… ${count} events`));
      const quarantined = (await readAllPages(api, `${base}/quarantine`, {}, (count) => out.progress(`… ${count} quarantined deliveries read`))).filter((record) => holdsEmail(record, email));
      const waiting = events.filter((event) => event.outcome?.status === 'unmapped' && !event.appliedAt);
      const answer = { email, enrollments, events, waiting: waiting.map((event) => ({ eventId: event.id, productId: event.productId, offerCode: event.offerCode ?? null, transaction: event.transaction, receivedAt: event.receivedAt })), quarantined: quarantined.map(({ id, reason, receivedAt }) => ({ id, reason, receivedAt })) };
      out.result(answer, () =>
        [
          `enrollments of ${email}\n${table(enrollments, ENROLLMENT_COLUMNS)}`,
          `events\n${table(events.map(eventRow), EVENT_COLUMNS)}`,
          `waiting for a mapping (map the product: mappings put)\n${table(answer.waiting, ['productId', 'offerCode', 'transaction', 'receivedAt', 'eventId'])}`,
          `quarantined (quarantine replay <school> <id> --body-file …)\n${table(answer.quarantined, ['id', 'reason', 'receivedAt'])}`,
        ].join('\n'),
      );
    }));

  const enrollmentPath = (school: string, email: string, target: string) => {
    const { type, id } = parseTarget(target);
    return `/schools/${seg(school)}/students/${seg(email)}/enrollments/${seg(type)}/${seg(id)}`;
  };

  program.command('grant <school> <email> <target>').description('gives access by hand, beside what purchases give (target: course:fotografia)')
    .option('--note <text>', 'why (kept with the grant)')
    .option('--until <iso>', 'access until this instant (exclusive); default: until removed')
    .action(action(context, async (ctx, command, school: string, email: string, target: string, options: { note?: string; until?: string }) => {
      const body = { ...(options.note ? { note: options.note } : {}), ...(options.until ? { until: options.until } : {}) };
      const answer = await (await ctx.api(command)).request('PUT', enrollmentPath(school, email, target), { body });
      ctx.out(command).result(answer.body, () => `${answer.status === 201 ? 'granted' : 'grant replaced'}\n${table([answer.body], ENROLLMENT_COLUMNS)}`);
    }));

  program.command('remove <school> <email> <target>').description('removes a grant made by hand (what a purchase pays for stays)')
    .action(action(context, async (ctx, command, school: string, email: string, target: string) => {
      await (await ctx.api(command)).request('DELETE', enrollmentPath(school, email, target));
      ctx.out(command).result({ email, target: parseTarget(target), removed: true }, () => `grant of ${target} to ${email} removed\n`);
    }));

  const erase = program.command('erase').description('erasure (LGPD): a student, or a whole school (schools delete)');
  erase.command('student <school> <email>').description("pseudonymises the student's enrollments, transactions, events and quarantined deliveries (DELETE /schools/{schoolId}/students/{email})")
    .option('--yes', 'confirm: this cannot be undone')
    .action(action(context, async (ctx, command, school: string, email: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`erasing ${email} cannot be undone: add --yes to confirm`);
      const { body } = await (await ctx.api(command)).request('DELETE', `/schools/${seg(school)}/students/${seg(email)}`);
      ctx.out(command).result(body, () => `erased; pseudonym ${body.pseudonym}\n${fields(body.erased)}`);
    }));
  erase.command('school <school>').description('deletes the school and erases all it holds (as schools delete)')
    .option('--yes', 'confirm: this cannot be undone')
    .action(action(context, async (ctx, command, school: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`deleting ${school} erases all its data: add --yes to confirm`);
      const { body } = await (await ctx.api(command)).request('DELETE', `/schools/${seg(school)}`);
      ctx.out(command).result(body, () => `${body.schoolId}: ${body.status} (its data is erased in the background)\n`);
    }));
}
