import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeEmail } from '../../domain/email.ts';
import { ERASED_NAME, eraseFromBody } from '../../domain/redact.ts';
import type { ErasureStore, QuarantineRecord } from '../../services/ports.ts';
import { quarantinedBuyer } from './quarantine-store.ts';
import type { SchoolKeys } from './keys.ts';
import { auditKeys, SUBSCRIPTION_ATTRIBUTE_PREFIX, TRANSACTION_ATTRIBUTE_PREFIX } from './keys.ts';
import { readAllItems } from './paging.ts';
import { eraseFromFeed } from './feed-erasure.ts';
import { ERASURE_MOVE_CAUSE } from './feed-stream.ts';

/**
 * Every table that stores an e-mail, which erasure rewrites; and every table that holds none.
 * Together they are the tables of serverless.yml (test/integration/erasure.test.ts checks it):
 * a new table must be put on one side before the tests pass.
 */
export const TABLES_WITH_EMAIL = ['events', 'enrollments', 'quarantine', 'feed', 'audit'] as const;
/** Mappings hold products and targets; reconciliation runs, counts and the scopes of failed reads; the school registry, schools (names, token hashes, sealed credentials). */
export const TABLES_WITHOUT_EMAIL = ['mappings', 'reconciliations', 'schools'] as const;

type Tables = Record<(typeof TABLES_WITH_EMAIL)[number], string>;

/** A manual grant's note is free text an operator typed, which may name the student: erased with them (the grant itself, its dates and who granted, stay). */
const withoutNote = (item: Record<string, unknown>) => (item.manual ? { manual: { ...(item.manual as object), note: null } } : {});

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

/**
 * Replaces one buyer's e-mail and name wherever one school keeps them. Event records, parked
 * events and quarantined deliveries are found through their tables' `byStudent` index (keyed by
 * the school's scope and the normalised e-mail, never a Scan), then matched here on the normalised
 * e-mail (any letter case, Unicode form or JSON escaping): the cost grows with the student's
 * items, not with the tables (see README).
 *
 * The steps run in an order a re-run can finish: what leads to the other records (event records
 * and enrollments under the real e-mail) is changed last, so a run interrupted anywhere leaves
 * them for the next run to find; `start` makes that run reuse the same pseudonym.
 */
export function createErasureStore(db: DynamoDBDocumentClient, tables: Tables, school: SchoolKeys): ErasureStore {
  const { keys, attributes } = school;
  return {
    async start(emailKey, pseudonym) {
      try {
        await db.send(
          new PutCommand({
            TableName: tables.enrollments,
            Item: { ...keys.erasure(emailKey), pseudonym, startedAt: Date.now() },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return pseudonym;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const { Item } = await db.send(new GetCommand({ TableName: tables.enrollments, Key: keys.erasure(emailKey), ConsistentRead: true }));
        return (Item?.pseudonym as string | undefined) ?? pseudonym;
      }
    },

    async finish(emailKey) {
      await db.send(new DeleteCommand({ TableName: tables.enrollments, Key: keys.erasure(emailKey) }));
    },

    async erase(email, pseudonym) {
      const counts = { enrollments: 0, transactions: 0, subscriptions: 0, events: 0, quarantined: 0 };
      const transactions = new Set<string>();
      const subscriptions = new Set<string>();
      const names = new Set<string>();
      /** Every stored spelling of this e-mail (records written before e-mails were NFC-normalised may differ). */
      const spellings = new Set([email]);
      const matches = (value: unknown) => typeof value === 'string' && normalizeEmail(value) === email;
      /** The keys of this student's items in `table`, from its byStudent index: its cost grows with them, not with the table. */
      const studentKeys = async (table: string) => {
        const query = { TableName: table, IndexName: attributes.studentIndexName, KeyConditionExpression: 'studentKey = :student', ExpressionAttributeValues: { ':student': attributes.student(email).studentKey } };
        return (await readAllItems(db, { query })).map((item) => ({ pk: item.pk, sk: item.sk }));
      };

      // 1. Find: event records and parked events, through the student's index (keys only), then each
      // item read by its key; then the enrollments of every spelling.
      const events: { key: Record<string, unknown>; parked: boolean }[] = [];
      for (const key of await studentKeys(tables.events)) {
        const { Item: item } = await db.send(new GetCommand({ TableName: tables.events, Key: key, ConsistentRead: true }));
        if (!item) continue;
        const parked = typeof item.event === 'object' && item.event !== null; // a parked item holds the whole event; a record, its name
        const fields = (parked ? item.event : item) as Record<string, unknown>;
        if (!matches(fields.buyerEmail)) continue;
        spellings.add(fields.buyerEmail as string);
        if (typeof fields.buyerName === 'string' && fields.buyerName !== ERASED_NAME) names.add(fields.buyerName);
        if (typeof fields.transaction === 'string') transactions.add(fields.transaction);
        if (typeof fields.subscriberCode === 'string') subscriptions.add(fields.subscriberCode);
        events.push({ key, parked });
      }
      const enrollments: Record<string, unknown>[] = [];
      for (const spelt of spellings) {
        const student = { TableName: tables.enrollments, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.studentPartition(spelt) }, ConsistentRead: true };
        for (const item of await readAllItems(db, { query: student })) {
          enrollments.push(item);
          for (const name of Object.keys(item)) {
            if (name.startsWith(TRANSACTION_ATTRIBUTE_PREFIX)) transactions.add(name.slice(TRANSACTION_ATTRIBUTE_PREFIX.length));
            if (name.startsWith(SUBSCRIPTION_ATTRIBUTE_PREFIX)) subscriptions.add(name.slice(SUBSCRIPTION_ATTRIBUTE_PREFIX.length));
          }
        }
      }

      // 2. Quarantined bodies: the e-mail, the names beside it, and the names the events gave.
      for (const key of await studentKeys(tables.quarantine)) {
        const { Item: item } = await db.send(new GetCommand({ TableName: tables.quarantine, Key: key, ConsistentRead: true }));
        if (!item) continue;
        const mediaType = item.contentType === 'application/x-www-form-urlencoded' ? 'form' : 'json';
        const body = eraseFromBody(item.body as string, mediaType, email, [...names], pseudonym);
        if (body === undefined) continue;
        const record = { ...item, body } as QuarantineRecord;
        await db.send(new PutCommand({ TableName: tables.quarantine, Item: { ...record, ...attributes.student(quarantinedBuyer(record)) } }));
        counts.quarantined++;
      }

      // 2b. Audit records naming the student (manual grants), of every incarnation of the school: through
      // the audit table's byStudent index, the e-mail and the index key move to the pseudonym.
      const audit = auditKeys(school.scope.split('#')[0]!);
      const auditQuery = { TableName: tables.audit, IndexName: audit.studentIndexName, KeyConditionExpression: 'studentKey = :student', ExpressionAttributeValues: { ':student': audit.student(email).studentKey } };
      for (const item of await readAllItems(db, { query: auditQuery })) {
        await db.send(
          new UpdateCommand({
            TableName: tables.audit,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET email = :pseudonym, studentKey = :student',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':pseudonym': pseudonym, ':student': audit.student(pseudonym).studentKey },
          }),
        ).catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error; // expired meanwhile: nothing to rewrite
        });
      }

      // 3. Transaction and subscription records (found through the events and enrollments, still untouched).
      const values = Object.fromEntries([...spellings].map((spelt, i) => [`:e${i}`, spelt]));
      const rename = async (key: Record<string, string>) => {
        try {
          await db.send(
            new UpdateCommand({
              TableName: tables.enrollments,
              Key: key,
              UpdateExpression: 'SET email = :pseudonym',
              ConditionExpression: `email IN (${Object.keys(values).join(', ')})`,
              ExpressionAttributeValues: { ':pseudonym': pseudonym, ...values },
            }),
          );
          return 1;
        } catch (error) {
          if (isConditionFailure(error)) return 0;
          throw error;
        }
      };
      for (const transaction of transactions) counts.transactions += await rename(keys.transaction(transaction));
      for (const code of subscriptions) counts.subscriptions += await rename(keys.subscription(code));

      // 4. Event records and parked events.
      for (const { key, parked } of events) {
        await db.send(
          new UpdateCommand({
            TableName: tables.events,
            Key: key,
            UpdateExpression: `SET ${parked ? '#event.buyerEmail = :pseudonym, #event.buyerName = :erased' : 'buyerEmail = :pseudonym, buyerName = :erased'}, studentKey = :student`,
            ExpressionAttributeValues: { ':pseudonym': pseudonym, ':erased': ERASED_NAME, ':student': attributes.student(pseudonym).studentKey },
            ...(parked ? { ExpressionAttributeNames: { '#event': 'event' } } : {}),
          }),
        );
        counts.events++;
      }

      // 5. The feed: events' bodies pseudonymised, feed states moved (before the enrollments, so their move finds them there).
      await eraseFromFeed(db, tables.feed, school, spellings, pseudonym);

      // 6. Last, enrollments move to the pseudonym's partition, whole, one at a time (a move the feed does not announce).
      for (const item of enrollments) {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tables.enrollments, Item: { ...item, pk: keys.studentPartition(pseudonym), email: pseudonym, ...withoutNote(item), ...(String(item.sk).startsWith(keys.enrollmentSortPrefix) ? { lastCause: ERASURE_MOVE_CAUSE } : {}) } } },
              { Delete: { TableName: tables.enrollments, Key: { pk: item.pk, sk: item.sk } } },
            ],
          }),
        );
        counts.enrollments++;
      }
      return counts;
    },
  };
}
