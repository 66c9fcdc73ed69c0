import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { schoolShardValue } from './keys.ts';

/**
 * How a deleted school's items are found without a Scan: every item the service writes under a
 * school's scope carries `schoolShard` = `S#<scope>#ERASE#<0-f>`, the hash key of each table's
 * KEYS_ONLY `bySchool` index (serverless.yml). The erasure (lib/adapters/dynamodb/school-eraser.ts)
 * queries the 16 values of its scope: its reads grow with the school's items, never with the table.
 * The shard (a hash of the item's pk) spreads a school's launch — hundreds of deliveries at once —
 * over 16 index partitions instead of funnelling it onto one index key.
 *
 * It is written by a middleware of the one document client (tagItems, below) rather than by each
 * writer, so that no item is forgotten — one a later change adds included. Cost: one index write
 * (≤ 1 KB: keys only) when an item is created or its pk changes; an update that leaves the value
 * as it was writes nothing to the index.
 */
export const SCHOOL_SHARD_ATTRIBUTE = 'schoolShard';
export const SCHOOL_INDEX = 'bySchool';
export const SHARDS = [...'0123456789abcdef'];

const SCOPE = /^S#([a-z0-9][a-z0-9-]{1,62}#[0-9a-z]{10})#/;

/** FNV-1a of the pk, to one hex digit: stable, cheap, no crypto. */
function shardOf(pk: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < pk.length; i++) hash = Math.imul(hash ^ pk.charCodeAt(i), 0x01000193);
  return SHARDS[(hash >>> 0) % 16]!;
}

/** The index value of one scope's shard. */
export { schoolShardValue };

/** The `schoolShard` value of an item whose pk is `pk`, or undefined when the pk is not a school's (the registry). */
export function schoolShardOf(pk: unknown): string | undefined {
  if (typeof pk !== 'string') return undefined;
  const scope = SCOPE.exec(pk)?.[1];
  return scope === undefined ? undefined : schoolShardValue(scope, shardOf(pk));
}

type Input = Record<string, any>;

const withShard = (item: Input | undefined) => {
  const shard = schoolShardOf(item?.pk);
  return shard === undefined ? item : { ...item, [SCHOOL_SHARD_ATTRIBUTE]: shard };
};

/** An update also sets the shard (into its SET clause, or a SET clause of its own). */
function withShardUpdate(update: Input): Input {
  const shard = schoolShardOf(update.Key?.pk);
  if (shard === undefined || typeof update.UpdateExpression !== 'string') return update;
  const assignment = '#schoolShard = :schoolShard';
  const expression: string = update.UpdateExpression;
  const set = /\bSET\s/i.exec(expression);
  return {
    ...update,
    UpdateExpression: set ? `${expression.slice(0, set.index)}SET ${assignment}, ${expression.slice(set.index + set[0].length)}` : `SET ${assignment} ${expression}`,
    ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#schoolShard': SCHOOL_SHARD_ATTRIBUTE },
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':schoolShard': shard },
  };
}

/** A document-client request with the shard on every item it writes (a new object: the caller's input is left alone). */
export function tagItems(command: string, input: Input): Input {
  switch (command.replace(/(Item|Items)?Command$/, '')) {
    case 'Put':
      return { ...input, Item: withShard(input.Item) };
    case 'Update':
      return withShardUpdate(input);
    case 'TransactWrite':
      return {
        ...input,
        TransactItems: input.TransactItems?.map((entry: Input) =>
          entry.Put ? { ...entry, Put: { ...entry.Put, Item: withShard(entry.Put.Item) } } : entry.Update ? { ...entry, Update: withShardUpdate(entry.Update) } : entry,
        ),
      };
    case 'BatchWrite':
      return {
        ...input,
        RequestItems: Object.fromEntries(
          Object.entries(input.RequestItems ?? {}).map(([table, requests]) => [
            table,
            (requests as Input[]).map((request) => (request.PutRequest ? { PutRequest: { Item: withShard(request.PutRequest.Item) } } : request)),
          ]),
        ),
      };
    default:
      return input;
  }
}

/** Index-only attributes, which no reader is shown: the shard, and the student index's key (lib/adapters/dynamodb/keys.ts). */
const INDEX_ONLY = [SCHOOL_SHARD_ATTRIBUTE, 'studentKey'];

const strip = (item: unknown) => {
  if (item && typeof item === 'object') for (const name of INDEX_ONLY) delete (item as Input)[name];
};

/** The items of a response without the index-only attributes (in place: the response is the caller's new object). */
export function untagItems(output: Input): Input {
  strip(output.Item);
  strip(output.Attributes);
  for (const item of output.Items ?? []) strip(item);
  const responses = output.Responses;
  if (Array.isArray(responses)) for (const response of responses) strip(response?.Item);
  else if (responses && typeof responses === 'object') for (const items of Object.values(responses)) for (const item of items as unknown[]) strip(item);
  return output;
}

/** Installs tagItems on the client's requests, before the document client marshalls them, and untagItems on their responses. */
export function writeSchoolShards(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next({ ...args, input: tagItems(String(context.commandName), args.input as Input) });
      untagItems(result.output as Input);
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'schoolShard' },
  );
}
