/**
 * The key-scoping gate (issue 12): every key the service sends DynamoDB is under one school's
 * scope `S#<schoolId>#<incarnation>#`. scripts/key-recorder.ts records each request's keys
 * (`keysOf`, below) while the tests run; after the run, `checkKeyScope` names the requests that
 * are not scoped. Pure functions over the key schemas serverless.yml declares.
 *
 * Exceptions: the school registry (table `schools`: its keys are `SCHOOL#<id>`, its listing Scans
 * it) and indexes named `cross-school-*` (built to find per-school work across schools; their
 * readers then act through school-scoped keys).
 *
 * One more, explicit and narrow: the audit table (`audit`), keyed by the school id alone
 * (`AUDIT#<schoolId>`, its byStudent index `AUDIT#<schoolId>#STUDENT#<e-mail>`), so that a school's
 * audit trail outlives the school's deletion and its incarnations (README, "Audit"). Only keys of
 * that shape pass there, still one school's each; a Scan of it does not.
 */
import { serverlessTables } from './local/tables.ts';

export const SCOPED_KEY = /^S#[a-z0-9][a-z0-9-]{1,62}#[0-9a-z]{10}#/;
export const REGISTRY_TABLE = 'schools';
export const CROSS_SCHOOL_INDEX = /^cross-school-/;
export const AUDIT_TABLE = 'audit';
export const AUDIT_KEY = /^AUDIT#[a-z0-9][a-z0-9-]{1,62}(#|$)/;

/** Per table (its name in lib/config.ts's `tables`): the hash key, and each global index's hash key. */
export type KeySchemas = Record<string, { hash: string; indexes: Record<string, string> }>;

/** One key value a request carries: the table's partition key, or the hash key of `index` (queried, or written on an item). */
export type RecordedKey = { attribute: string; index?: string; value: unknown };
/** What a request touches in one table. `scan`: the request reads the table (or `index`) without a key. */
export type RecordedTarget = { table: string; index?: string; scan?: true; keys: RecordedKey[] };
/** One line of a record file: one request. Keys only, never an item's other attributes. */
export type KeyRecord = { op: string; targets: RecordedTarget[] };

/** An unscoped key (or Scan) of request number `request` (its index in the records). */
export type Offender = { request: number; op: string; table: string; index?: string; attribute?: string; value?: unknown; reason: string };

type Attr = Record<string, unknown> | string | number | undefined;
type Input = Record<string, any>;

export function keySchemasFromServerlessYml(): KeySchemas {
  return Object.fromEntries(
    serverlessTables().map(({ name, resource }) => {
      const { KeySchema, GlobalSecondaryIndexes } = resource.Properties;
      const hashOf = (schema: typeof KeySchema) => schema?.find((key) => key.KeyType === 'HASH')?.AttributeName ?? '';
      const indexes = Object.fromEntries((GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName!, hashOf(index.KeySchema)]));
      return [name, { hash: hashOf(KeySchema), indexes }];
    }),
  );
}

/**
 * The declared table a physical name belongs to: a stage's tables are `<prefix>-<name>` (lower
 * case, scripts/local/tables.ts and serverless.yml's custom.tables). Unknown names stay as they are.
 */
export function tableOf(physical: string, schemas: KeySchemas): string {
  const matches = Object.keys(schemas).filter((name) => physical === name.toLowerCase() || physical.endsWith(`-${name.toLowerCase()}`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? physical;
}

/** A value as the document client or the low-level client carries it: `{ S: 'x' }` → 'x'. */
function plain(value: Attr): unknown {
  if (value && typeof value === 'object') {
    const [type, inner] = Object.entries(value)[0] ?? [];
    if (type === 'S' || type === 'N' || type === 'B') return inner;
    return value;
  }
  return value;
}

/** `attr = :v` and `attr = if_not_exists(attr, :v)` assignments / equalities in an expression, names resolved. */
function equalities(expression: string | undefined, names: Record<string, string> = {}): Array<[string, string]> {
  if (!expression) return [];
  const found: Array<[string, string]> = [];
  const pattern = /([#\w.]+)\s*=\s*(?:if_not_exists\s*\(\s*[#\w.]+\s*,\s*)?(:\w+)/g;
  for (const [, name, value] of expression.matchAll(pattern)) found.push([names[name!] ?? name!, value!]);
  return found;
}

function itemKeys(table: string, item: Input | undefined, schemas: KeySchemas, withIndexes: boolean): RecordedKey[] {
  const schema = schemas[table];
  if (!schema) return [{ attribute: '?', value: undefined }];
  const keys: RecordedKey[] = [{ attribute: schema.hash, value: plain(item?.[schema.hash]) }];
  if (withIndexes) {
    for (const [index, attribute] of Object.entries(schema.indexes)) {
      if (item && attribute in item) keys.push({ attribute, index, value: plain(item[attribute]) });
    }
  }
  return keys;
}

function updateKeys(table: string, input: Input, schemas: KeySchemas): RecordedKey[] {
  const keys = itemKeys(table, input.Key, schemas, false);
  const schema = schemas[table];
  for (const [attribute, placeholder] of equalities(input.UpdateExpression, input.ExpressionAttributeNames)) {
    const index = Object.entries(schema?.indexes ?? {}).find(([, hash]) => hash === attribute)?.[0];
    if (index) keys.push({ attribute, index, value: plain(input.ExpressionAttributeValues?.[placeholder]) });
  }
  return keys;
}

function target(physical: string, schemas: KeySchemas, keys: (table: string) => RecordedKey[], extra: Partial<RecordedTarget> = {}): RecordedTarget {
  const table = tableOf(physical, schemas);
  return { table, ...extra, keys: keys(table) };
}

/**
 * The keys of one request, by operation (the low-level names, e.g. PutItem). Operations without
 * item keys (DescribeTable…) give no targets; PartiQL gives a target the checker refuses.
 */
export function keysOf(op: string, input: Input, schemas: KeySchemas): RecordedTarget[] {
  switch (op) {
    case 'GetItem':
    case 'DeleteItem':
      return [target(input.TableName, schemas, (t) => itemKeys(t, input.Key, schemas, false))];
    case 'PutItem':
      return [target(input.TableName, schemas, (t) => itemKeys(t, input.Item, schemas, true))];
    case 'UpdateItem':
      return [target(input.TableName, schemas, (t) => updateKeys(t, input, schemas))];
    case 'Query': {
      const index: string | undefined = input.IndexName;
      return [
        target(
          input.TableName,
          schemas,
          (t) => {
            const attribute = index ? schemas[t]?.indexes[index] : schemas[t]?.hash;
            const placeholder = equalities(input.KeyConditionExpression, input.ExpressionAttributeNames).find(([name]) => name === attribute)?.[1];
            return [{ attribute: attribute ?? '?', ...(index ? { index } : {}), value: placeholder ? plain(input.ExpressionAttributeValues?.[placeholder]) : undefined }];
          },
          index ? { index } : {},
        ),
      ];
    }
    case 'Scan':
      return [target(input.TableName, schemas, () => [], { ...(input.IndexName ? { index: input.IndexName } : {}), scan: true })];
    case 'BatchGetItem':
      return Object.entries<Input>(input.RequestItems ?? {}).map(([table, { Keys }]) =>
        target(table, schemas, (t) => (Keys as Input[]).flatMap((key) => itemKeys(t, key, schemas, false))),
      );
    case 'BatchWriteItem':
      return Object.entries<Input[]>(input.RequestItems ?? {}).map(([table, requests]) =>
        target(table, schemas, (t) =>
          requests.flatMap((request) => (request.PutRequest ? itemKeys(t, request.PutRequest.Item, schemas, true) : itemKeys(t, request.DeleteRequest?.Key, schemas, false))),
        ),
      );
    case 'TransactWriteItems':
      return (input.TransactItems as Input[]).map((item) => {
        if (item.Put) return target(item.Put.TableName, schemas, (t) => itemKeys(t, item.Put.Item, schemas, true));
        if (item.Update) return target(item.Update.TableName, schemas, (t) => updateKeys(t, item.Update, schemas));
        const keyed = item.Delete ?? item.ConditionCheck;
        return target(keyed.TableName, schemas, (t) => itemKeys(t, keyed.Key, schemas, false));
      });
    case 'TransactGetItems':
      return (input.TransactItems as Input[]).map(({ Get }) => target(Get.TableName, schemas, (t) => itemKeys(t, Get.Key, schemas, false)));
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return [{ table: '(PartiQL)', keys: [{ attribute: 'statement', value: undefined }] }];
    default:
      return [];
  }
}

/** The requests whose keys are not under one school's scope, in the order they were made. */
export function checkKeyScope(records: KeyRecord[], schemas: KeySchemas): Offender[] {
  const offenders: Offender[] = [];
  for (const [request, { op, targets }] of records.entries()) {
    for (const { table, index, scan, keys } of targets) {
      if (table === REGISTRY_TABLE) continue;
      const where = { request, op, table, ...(index ? { index } : {}) };
      if (!schemas[table]) {
        offenders.push({ ...where, reason: table === '(PartiQL)' ? 'PartiQL statements are not checked: use the key-based operations' : 'a table serverless.yml does not declare' });
        continue;
      }
      if (scan) {
        if (!(index && CROSS_SCHOOL_INDEX.test(index))) offenders.push({ ...where, reason: 'a Scan outside the school registry and the cross-school-* indexes' });
        continue;
      }
      for (const key of keys) {
        if (key.index && CROSS_SCHOOL_INDEX.test(key.index)) continue;
        if (typeof key.value === 'string' && SCOPED_KEY.test(key.value)) continue;
        if (table === AUDIT_TABLE && typeof key.value === 'string' && AUDIT_KEY.test(key.value)) continue;
        offenders.push({
          ...where,
          ...(key.index ? { index: key.index } : {}),
          attribute: key.attribute,
          value: key.value,
          reason: key.value === undefined ? 'no hash-key value found in the request' : 'not under S#<schoolId>#<incarnation>#',
        });
      }
    }
  }
  return offenders;
}

export function describeOffender({ op, table, index, attribute, value, reason }: Offender): string {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : String(value);
  return `${op} ${table}${index ? `/${index}` : ''}${attribute ? ` ${attribute}=${shown}` : ''}: ${reason}`;
}

/** How many requests have at least one offender. */
export const offendingRequests = (offenders: Offender[]): number => new Set(offenders.map(({ request }) => request)).size;

/** Offenders per table (index), for a summary line. */
export function countByTable(offenders: Offender[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { table, index } of offenders) {
    const name = index ? `${table}/${index}` : table;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
