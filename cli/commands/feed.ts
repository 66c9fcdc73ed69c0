import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Route } from '../client.ts';
import { call } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { UsageError } from '../errors.ts';
import { startFeedReceiver } from '../feed-receiver.ts';
import { fields, table } from '../output.ts';
import { targetText } from './targets.ts';

/** The routes these commands call (test/unit/cli-openapi.test.ts checks them against docs/openapi.json). */
export const ROUTES = {
  show: 'GET /schools/{schoolId}/feed',
  set: 'PUT /schools/{schoolId}/feed',
  delete: 'DELETE /schools/{schoolId}/feed',
  rotate: 'POST /schools/{schoolId}/feed/secret',
  ping: 'POST /schools/{schoolId}/feed/ping',
  events: 'GET /schools/{schoolId}/feed/events',
  replay: 'POST /schools/{schoolId}/feed/replay',
} as const satisfies Record<string, Route>;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const iso = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`"${value}" is not an ISO instant (e.g. 2026-12-01T00:00:00Z)`);
  return value;
};
const count = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return number;
};

const EVENT_COLUMNS: Parameters<typeof table>[1] = [
  'id',
  'type',
  'createdAt',
  'sequence',
  ['email', (e) => e.enrollment?.email],
  ['target', (e) => (e.enrollment ? targetText([e.enrollment.target]) : null)],
  ['status', (e) => e.enrollment?.status],
  ['hasAccess', (e) => e.enrollment?.hasAccess],
  ['cause', (e) => e.cause?.source],
];

/** The school's feed (README, "Receive enrollment events"): its endpoint and secret, ping, pull, replay, and a local receiver. */
export function registerFeed(program: Command, context: Context): void {
  const feed = program.command('feed').description("the school's feed of enrollment events: its endpoint, secret, events and replays; a local receiver");

  feed.command('show <school>').description('the endpoint and its delivery state: pending, dead, failing since (GET …/feed)')
    .action(action(context, async (ctx, command, school: string) => {
      const { body } = await call(await ctx.api(command), ROUTES.show, { schoolId: school });
      ctx.out(command).result(body, () => fields(body));
    }));

  feed.command('set <school>').description('points the feed at an endpoint; the first time, prints the signing secret — shown only then (PUT …/feed)')
    // Not --url: that is the API's (a global option, recognised after the subcommand too).
    .requiredOption('--endpoint <url>', 'the endpoint the events are pushed to (https in AWS)')
    .option('--type <type>', 'an event type to push, e.g. enrollment.granted (repeat; default every type)', collect)
    .action(action(context, async (ctx, command, school: string, options: { endpoint: string; type?: string[] }) => {
      const { status, body } = await call(await ctx.api(command), ROUTES.set, { schoolId: school }, { body: { url: options.endpoint, ...(options.type ? { types: options.type } : {}) } });
      ctx.out(command).result(body, () => {
        const { secret, ...rest } = body;
        return status === 201 ? `created\n${fields(rest)}secret (shown only now: keep it)\n${secret}\n` : `updated (the secret is kept)\n${fields(rest)}`;
      });
    }));

  feed.command('delete <school>').description('stops pushing; events keep being recorded and pulled (DELETE …/feed)')
    .action(action(context, async (ctx, command, school: string) => {
      await call(await ctx.api(command), ROUTES.delete, { schoolId: school });
      ctx.out(command).result({ schoolId: school, feed: 'deleted' }, () => `${school}: feed endpoint removed\n`);
    }));

  feed.command('rotate-secret <school>').description('a new signing secret, printed once; the one it replaces still signs for 24 h (POST …/feed/secret)')
    .action(action(context, async (ctx, command, school: string) => {
      const { body } = await call(await ctx.api(command), ROUTES.rotate, { schoolId: school });
      ctx.out(command).result(body, () => `new secret (shown only now: keep it)\n${body.secret}\nthe previous one signs too until ${body.previousValidUntil}\n`);
    }));

  feed.command('ping <school>').description('sends a signed ping to the endpoint now and prints its answer; exit 1 unless it answered 2xx (POST …/feed/ping)')
    .action(action(context, async (ctx, command, school: string) => {
      const { body } = await call(await ctx.api(command), ROUTES.ping, { schoolId: school });
      ctx.out(command).result(body, () => fields(body));
      if (typeof body.status !== 'number' || body.status < 200 || body.status > 299) throw new Error(`the endpoint answered ${body.status ?? 'nothing'}${body.error ? ` (${body.error})` : ''}`);
    }));

  feed.command('events <school>').description('a page of the school’s events in emission order (GET …/feed/events)')
    .option('--after <cursor>', 'the page after this cursor (the last page’s nextCursor)')
    .option('--limit <n>', '1–100 events (default 50)')
    .action(action(context, async (ctx, command, school: string, options: { after?: string; limit?: string }) => {
      const { body } = await call(await ctx.api(command), ROUTES.events, { schoolId: school }, { query: { after: options.after, limit: options.limit } });
      ctx.out(command).result(body, () => table(body.items, EVENT_COLUMNS) + (body.nextCursor ? `more: --after ${body.nextCursor}\n` : ''));
    }));

  feed.command('replay <school>').description('sends events again, same ids and bodies: a time range (--from [--to]) or ids (--event-id …) (POST …/feed/replay)')
    .option('--from <iso>', 'events created from this instant (inclusive)', iso)
    .option('--to <iso>', 'until this instant (exclusive); default now', iso)
    .option('--event-id <id>', 'an event id evt_… (repeat, up to 1000)', collect)
    .action(action(context, async (ctx, command, school: string, options: { from?: string; to?: string; eventId?: string[] }) => {
      if ((options.from === undefined) === (options.eventId === undefined)) throw new UsageError('give either --from <iso> [--to <iso>] or --event-id <id>…');
      if (options.eventId && options.to) throw new UsageError('--to goes with --from, not with --event-id');
      const input = options.eventId ? { eventIds: options.eventId } : { from: options.from, ...(options.to ? { to: options.to } : {}) };
      const { status, body } = await call(await ctx.api(command), ROUTES.replay, { schoolId: school }, { body: input });
      ctx.out(command).result({ status, ...body }, () => `replay ${body.replay} started (${status})\n${fields(body)}`);
    }));

  feed.command('receive').description('a local receiver (your platform’s stand-in): verifies each delivery’s signature (401 if bad) and prints each event; Ctrl-C stops it (no --url/--stage needed)')
    .option('--secret <whsec>', 'the feed’s signing secret (default: $FEED_SECRET, which keeps it out of the shell history)')
    .option('--port <port>', 'the port on 127.0.0.1 (0: any free one)', count, 4000)
    .option('--fail-first <n>', 'answer --status to the first N deliveries, to watch the retries', count, 0)
    .option('--status <status>', 'the status those get', count, 503)
    .action(action(context, async (ctx, command, options: { secret?: string; port: number; failFirst: number; status: number }) => {
      const secret = options.secret ?? ctx.io.env.FEED_SECRET;
      if (!secret?.startsWith('whsec_')) throw new UsageError('give --secret whsec_… or set FEED_SECRET (the secret feed set or feed rotate-secret printed)');
      const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
      const receiver = await startFeedReceiver({ secret, port: options.port, failFirst: options.failFirst, failStatus: options.status, json, print: (line) => ctx.io.stdout.write(`${line}\n`) });
      ctx.out(command).progress(`receiving feed deliveries on ${receiver.url} (feed set <school> --endpoint ${receiver.url}); Ctrl-C stops`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await receiver.close();
    }));
}
