import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKeyScope, describeOffender, keySchemasFromServerlessYml, keysOf, tableOf } from '../../scripts/key-scope.ts';
import type { KeySchemas } from '../../scripts/key-scope.ts';

/** Synthetic schemas: the checker reads serverless.yml's in the run; these add the registry and a cross-school index. */
const schemas: KeySchemas = {
  events: { hash: 'pk', indexes: {} },
  enrollments: { hash: 'pk', indexes: { byTarget: 'targetKey' } },
  reconciliations: { hash: 'pk', indexes: { 'cross-school-due': 'dueKey' } },
  schools: { hash: 'pk', indexes: {} },
  audit: { hash: 'pk', indexes: { byStudent: 'studentKey' } },
};
const SCOPE = 'S#demo#k3j9x2a7bq#';
const check = (op: string, input: Record<string, any>) => checkKeyScope([{ op, targets: keysOf(op, input, schemas) }], schemas);

describe('key-scoping gate: the checker', () => {
  it('reads the tables and their index hash keys from serverless.yml', () => {
    const declared = keySchemasFromServerlessYml();
    assert.equal(declared.events?.hash, 'pk');
    assert.deepEqual(declared.enrollments?.indexes, { byTarget: 'targetKey', bySchool: 'schoolShard' });
  });

  it('finds a stage table by the end of its name', () => {
    assert.equal(tableOf('t-1a2b3c4d-enrollments', schemas), 'enrollments');
    assert.equal(tableOf('hotmart-enrollments-prod-events', schemas), 'events');
    assert.equal(tableOf('somewhere-else', schemas), 'somewhere-else');
  });

  it('accepts keys under one school scope, in every operation', () => {
    const pk = `${SCOPE}EVENT#HP1`;
    assert.deepEqual(check('GetItem', { TableName: 't-events', Key: { pk, sk: 'x' } }), []);
    assert.deepEqual(check('PutItem', { TableName: 't-enrollments', Item: { pk: `${SCOPE}TX#1`, targetKey: `${SCOPE}course#c1`, email: 'a@b.c' } }), []);
    assert.deepEqual(check('Query', { TableName: 't-enrollments', IndexName: 'byTarget', KeyConditionExpression: '#t = :t AND begins_with(email, :e)', ExpressionAttributeNames: { '#t': 'targetKey' }, ExpressionAttributeValues: { ':t': `${SCOPE}course#c1`, ':e': 'a' } }), []);
    assert.deepEqual(check('TransactWriteItems', { TransactItems: [{ Put: { TableName: 't-events', Item: { pk } } }, { ConditionCheck: { TableName: 't-events', Key: { pk } } }, { Delete: { TableName: 't-events', Key: { pk } } }] }), []);
    assert.deepEqual(check('BatchGetItem', { RequestItems: { 't-events': { Keys: [{ pk: { S: pk } }] } } }), []);
  });

  it('names the request whose partition key is not scoped (marshalled values included)', () => {
    const offenders = check('DeleteItem', { TableName: 't-events', Key: { pk: { S: 'EVENT#HP1' } } });
    assert.equal(offenders.length, 1);
    assert.equal(describeOffender(offenders[0]!), 'DeleteItem events pk="EVENT#HP1": not under S#<schoolId>#<incarnation>#');
  });

  it('refuses a scope that is not a slug and a 10-character incarnation', () => {
    assert.equal(check('GetItem', { TableName: 't-events', Key: { pk: 'S#Demo#k3j9x2a7bq#EVENT#1' } }).length, 1);
    assert.equal(check('GetItem', { TableName: 't-events', Key: { pk: 'S#demo#short#EVENT#1' } }).length, 1);
    assert.equal(check('GetItem', { TableName: 't-events', Key: { pk: 'EVENT#S#demo#k3j9x2a7bq#' } }).length, 1);
  });

  it('flags an index hash value written on an item, set by an update, or queried, when unscoped', () => {
    const put = check('PutItem', { TableName: 't-enrollments', Item: { pk: `${SCOPE}TX#1`, targetKey: 'course#c1' } });
    assert.deepEqual(put.map(describeOffender), ['PutItem enrollments/byTarget targetKey="course#c1": not under S#<schoolId>#<incarnation>#']);
    const update = check('UpdateItem', { TableName: 't-enrollments', Key: { pk: `${SCOPE}TX#1`, sk: 'x' }, UpdateExpression: 'SET #t = if_not_exists(#t, :t), n = :n', ExpressionAttributeNames: { '#t': 'targetKey' }, ExpressionAttributeValues: { ':t': 'course#c1', ':n': 1 } });
    assert.equal(update.length, 1);
    assert.equal(update[0]!.index, 'byTarget');
    const query = check('Query', { TableName: 't-enrollments', IndexName: 'byTarget', KeyConditionExpression: 'targetKey = :t', ExpressionAttributeValues: { ':t': 'course#c1' } });
    assert.equal(query.length, 1);
  });

  it('flags each unscoped item of a batch or a transaction', () => {
    const offenders = check('BatchWriteItem', { RequestItems: { 't-events': [{ PutRequest: { Item: { pk: 'EVENT#1' } } }, { DeleteRequest: { Key: { pk: `${SCOPE}EVENT#2` } } }, { DeleteRequest: { Key: { pk: 'EVENT#3' } } }] } });
    assert.deepEqual(offenders.map(({ value }) => value), ['EVENT#1', 'EVENT#3']);
    assert.equal(check('TransactGetItems', { TransactItems: [{ Get: { TableName: 't-events', Key: { pk: 'EVENT#1' } } }] }).length, 1);
  });

  it('refuses a Scan, except on the school registry and a cross-school-* index', () => {
    assert.deepEqual(check('Scan', { TableName: 't-events' }).map(describeOffender), ['Scan events: a Scan outside the school registry and the cross-school-* indexes']);
    assert.equal(check('Scan', { TableName: 't-enrollments', IndexName: 'byTarget' }).length, 1);
    assert.deepEqual(check('Scan', { TableName: 't-schools' }), []);
    assert.deepEqual(check('Scan', { TableName: 't-reconciliations', IndexName: 'cross-school-due' }), []);
  });

  it('lets the registry be read by its own keys, and a cross-school-* index be queried and written', () => {
    assert.deepEqual(check('GetItem', { TableName: 't-schools', Key: { pk: 'SCHOOL#demo' } }), []);
    assert.deepEqual(check('Query', { TableName: 't-schools', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'SCHOOL#demo' } }), []);
    assert.deepEqual(check('Query', { TableName: 't-reconciliations', IndexName: 'cross-school-due', KeyConditionExpression: 'dueKey = :d', ExpressionAttributeValues: { ':d': 'DUE#hourly' } }), []);
    assert.deepEqual(check('PutItem', { TableName: 't-reconciliations', Item: { pk: `${SCOPE}RUN`, dueKey: 'DUE#hourly' } }), []);
  });

  it('lets the audit table be keyed by one school id (AUDIT#<schoolId>, its byStudent index too), and nothing else unscoped; no Scan of it', () => {
    assert.deepEqual(check('PutItem', { TableName: 't-audit', Item: { pk: 'AUDIT#demo', sk: '1#x', studentKey: 'AUDIT#demo#STUDENT#a@example.com' } }), []);
    assert.deepEqual(check('Query', { TableName: 't-audit', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'AUDIT#demo' } }), []);
    assert.deepEqual(check('UpdateItem', { TableName: 't-audit', Key: { pk: 'AUDIT#demo', sk: '1#x' }, UpdateExpression: 'SET studentKey = :s', ExpressionAttributeValues: { ':s': 'AUDIT#demo#STUDENT#erased@erased.invalid' } }), []);
    assert.equal(check('Query', { TableName: 't-audit', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'AUDIT' } }).length, 1, 'no school id');
    assert.equal(check('PutItem', { TableName: 't-audit', Item: { pk: 'SCHOOL#demo' } }).length, 1, 'another shape');
    assert.equal(check('PutItem', { TableName: 't-events', Item: { pk: 'AUDIT#demo' } }).length, 1, 'only in the audit table');
    assert.equal(check('Scan', { TableName: 't-audit' }).length, 1);
  });

  it('refuses what it cannot read: an undeclared table, a Query without its hash key, PartiQL', () => {
    assert.match(describeOffender(check('GetItem', { TableName: 'other', Key: { pk: `${SCOPE}x` } })[0]!), /serverless\.yml does not declare/);
    assert.match(describeOffender(check('Query', { TableName: 't-events', KeyConditionExpression: 'sk = :s', ExpressionAttributeValues: { ':s': `${SCOPE}x` } })[0]!), /no hash-key value/);
    assert.match(describeOffender(check('ExecuteStatement', { Statement: 'SELECT * FROM x' })[0]!), /PartiQL/);
  });

  it('records keys only: no other attribute of an item is kept', () => {
    const targets = keysOf('PutItem', { TableName: 't-enrollments', Item: { pk: `${SCOPE}TX#1`, name: 'Maria', phone: '11987654321' } }, schemas);
    assert.deepEqual(targets, [{ table: 'enrollments', keys: [{ attribute: 'pk', value: `${SCOPE}TX#1` }] }]);
  });
});
