import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { fields, table } from '../output.ts';
import type { Target } from './targets.ts';
import { collectTarget, targetText } from './targets.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'PUT /schools/{schoolId}/mappings/{productId}',
  'GET /schools/{schoolId}/mappings/{productId}',
  'GET /schools/{schoolId}/mappings',
  'DELETE /schools/{schoolId}/mappings/{productId}',
  'PUT /schools/{schoolId}/mappings/{productId}/offers/{offerCode}',
  'GET /schools/{schoolId}/mappings/{productId}/offers/{offerCode}',
  'DELETE /schools/{schoolId}/mappings/{productId}/offers/{offerCode}',
] as const;

type PutOptions = { target: Target[]; price?: number; currency: string; salesUrl?: string; ifMatch?: string };

const price = (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`"${value}" is not a price above 0`);
  return number;
};

const putFlags = (command: Command) =>
  command
    .requiredOption('--target <type:id>', 'what it sells, e.g. course:fotografia (repeat for several)', collectTarget)
    .option('--price <value>', 'its price, e.g. 197', price)
    .option('--currency <code>', 'the price’s currency', 'BRL')
    .option('--sales-url <url>', 'its sales page (https)')
    .option('--if-match <version>', 'only if the mapping is at this version');

const mappingBody = (options: PutOptions) => ({
  targets: options.target,
  ...(options.price === undefined ? {} : { price: { value: options.price, currency: options.currency } }),
  ...(options.salesUrl === undefined ? {} : { salesUrl: options.salesUrl }),
});

const mappingText = (body: any) =>
  fields({ productId: body.productId, ...(body.offerCode ? { offerCode: body.offerCode } : {}), targets: targetText(body.targets), price: body.price, salesUrl: body.salesUrl, version: body.version, pendingEvents: body.pendingEvents, ...(body.appliedEvents === undefined ? {} : { appliedEvents: body.appliedEvents, backgroundApply: body.backgroundApply }) }) +
  (body.offers?.length ? `offers\n${table(body.offers, ['offerCode', ['targets', (o) => targetText(o.targets)], 'version'])}` : '');

/** Mappings and offer overrides: /schools/{schoolId}/mappings/{productId}[/offers/{offerCode}]. */
export function registerMappings(program: Command, context: Context): void {
  const mappings = program.command('mappings').description('which product sells what (a purchase of an unmapped product waits)');
  const path = (school: string, product: string) => `/schools/${seg(school)}/mappings/${seg(product)}`;

  putFlags(mappings.command('put <school> <product>').description('maps a product; purchases waiting for it are applied (PUT …/mappings/{productId})'))
    .action(action(context, async (ctx, command, school: string, product: string, options: PutOptions) => {
      const headers = options.ifMatch ? { 'if-match': `"${options.ifMatch}"` } : undefined;
      const { status, body } = await (await ctx.api(command)).request('PUT', path(school, product), { body: mappingBody(options), ...(headers ? { headers } : {}) });
      ctx.out(command).result(body, () => `${status === 201 ? 'created' : 'replaced'}\n${mappingText(body)}`);
    }));

  mappings.command('show <school> <product>').description('a mapping, its offers and waiting purchases').action(action(context, async (ctx, command, school: string, product: string) => {
    const { body } = await (await ctx.api(command)).request('GET', path(school, product));
    ctx.out(command).result(body, () => mappingText(body));
  }));

  mappings.command('list <school>').description('every mapped product').action(action(context, async (ctx, command, school: string) => {
    const out = ctx.out(command);
    const items = await readAllPages(await ctx.api(command), `/schools/${seg(school)}/mappings`, {}, (count) => out.progress(`… ${count} mappings`));
    out.result({ items }, () => table(items, ['productId', ['targets', (m) => targetText(m.targets)], ['price', (m) => (m.price ? `${m.price.value} ${m.price.currency}` : null)], 'version']));
  }));

  mappings.command('delete <school> <product>').description('removes a product’s mapping').action(action(context, async (ctx, command, school: string, product: string) => {
    await (await ctx.api(command)).request('DELETE', path(school, product));
    ctx.out(command).result({ productId: product, deleted: true }, () => `mapping of ${product} deleted\n`);
  }));

  const offers = program.command('offers').description('an offer (plan) of a product mapped to other targets than the product');
  const offerPath = (school: string, product: string, offer: string) => `${path(school, product)}/offers/${seg(offer)}`;

  putFlags(offers.command('put <school> <product> <offer>').description('maps one offer (PUT …/offers/{offerCode})'))
    .action(action(context, async (ctx, command, school: string, product: string, offer: string, options: PutOptions) => {
      const { status, body } = await (await ctx.api(command)).request('PUT', offerPath(school, product, offer), { body: mappingBody(options) });
      ctx.out(command).result(body, () => `${status === 201 ? 'created' : 'replaced'}\n${mappingText(body)}`);
    }));

  offers.command('show <school> <product> <offer>').action(action(context, async (ctx, command, school: string, product: string, offer: string) => {
    const { body } = await (await ctx.api(command)).request('GET', offerPath(school, product, offer));
    ctx.out(command).result(body, () => mappingText(body));
  }));

  offers.command('list <school> <product>').description('the product’s offer overrides').action(action(context, async (ctx, command, school: string, product: string) => {
    const { body } = await (await ctx.api(command)).request('GET', path(school, product));
    const items = body.offers ?? [];
    ctx.out(command).result({ items }, () => table(items, ['offerCode', ['targets', (o) => targetText(o.targets)], 'version']));
  }));

  offers.command('delete <school> <product> <offer>').action(action(context, async (ctx, command, school: string, product: string, offer: string) => {
    await (await ctx.api(command)).request('DELETE', offerPath(school, product, offer));
    ctx.out(command).result({ productId: product, offerCode: offer, deleted: true }, () => `offer ${offer} of ${product} deleted\n`);
  }));
}
