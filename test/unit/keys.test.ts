import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { schoolKey, schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { quarantineIdOfBody } from '#lib/services/receive-webhook.ts';

const root = new URL('../../', import.meta.url);
const sources = (dir: string): string[] =>
  readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
/** A string literal that spells a key: `'TX#…'`, `` `STUDENT#${…}` ``, or a bare sort key such as 'MAPPING'. */
const KEY_LITERAL = /['"`](?:[A-Z]{1,}#|(?:MAPPING|MAPPINGS|QUARANTINE|EVENT|TXEVENT|TX|SUB|ERASURE|LEASE|RUN)['"`])/;
const code = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .map((line) => line.replace(/\s\/\/.*$/, ''));

describe('keys: built in one place, each under its school', () => {
  const SCOPE = 'demo#k3j9x2a7bq';
  const { keys, attributes } = schoolKeys(SCOPE);
  const PREFIX = 'S#demo#k3j9x2a7bq#';
  it('no file of lib/ or functions/ but keys.ts spells a table key', () => {
    const offenders = [...sources('lib'), ...sources('functions')]
      .filter((file) => file !== 'lib/adapters/dynamodb/keys.ts')
      .flatMap((file) => code(readFileSync(new URL(file, root), 'utf8')).flatMap((line, i) => (KEY_LITERAL.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    assert.deepEqual(offenders, []);
  });

  it('builds the roster index value and the enrollment key from the same target part', () => {
    const target = { type: 'class' as const, id: 'turma-1' };
    assert.equal(attributes.rosterIndex(target), `${PREFIX}class#turma-1`);
    assert.equal(keys.enrollment('a@example.com', target).sk, `${keys.enrollmentSortPrefix}class#turma-1`);
    assert.equal(keys.enrollment('a@example.com', target).pk, keys.studentPartition('a@example.com'));
  });

  it('starts every partition key and index value with the school scope: S#<schoolId>#<incarnation>#', () => {
    const partitions = [
      keys.event('e1').pk,
      keys.businessKey('HP1', 'PURCHASE_APPROVED').pk,
      keys.parked('7', 1, 'e1').pk,
      keys.transaction('HP1').pk,
      keys.enrollment('a@example.com', { type: 'course', id: 'c1' }).pk,
      keys.subscription('S1').pk,
      keys.mapping('7').pk,
      keys.mapping('7', 'o1').pk,
      keys.quarantine('q1').pk,
      keys.erasure('h').pk,
      keys.run('r1').pk,
      keys.lease.pk,
      attributes.rosterIndex({ type: 'course', id: 'c1' }),
    ];
    for (const value of partitions) assert.match(value, /^S#demo#k3j9x2a7bq#/, value);
    assert.equal(keys.event('HP123').pk, 'S#demo#k3j9x2a7bq#EVENT#HP123');
    assert.deepEqual(keys.lease, { pk: 'S#demo#k3j9x2a7bq#LEASE', sk: 'reconciliation' });
    assert.deepEqual(keys.run('r1'), { pk: 'S#demo#k3j9x2a7bq#RUN', sk: 'r1' });
    assert.deepEqual(schoolKey('demo'), { pk: 'SCHOOL#demo' });
  });

  it('gives two schools, and two incarnations of one school, different keys for the same facts', () => {
    const other = schoolKeys('demo#0000000000').keys;
    const b = schoolKeys('other#k3j9x2a7bq').keys;
    for (const k of [other, b]) {
      assert.notEqual(k.event('e1').pk, keys.event('e1').pk);
      assert.notEqual(k.mapping('7').pk, keys.mapping('7').pk);
      assert.notEqual(k.lease.pk, keys.lease.pk);
    }
    assert.notEqual(quarantineIdOfBody(SCOPE, '{"a":1}'), quarantineIdOfBody('other#k3j9x2a7bq', '{"a":1}'));
    assert.equal(quarantineIdOfBody(SCOPE, '{"a":1}'), createHash('sha256').update(SCOPE).update('\u0000').update('{"a":1}').digest('hex'));
  });

  it('keeps a product\'s mapping items together, its own first, and tells them apart', () => {
    assert.deepEqual(keys.mapping('12'), { pk: 'S#demo#k3j9x2a7bq#MAPPINGS', sk: 'PRODUCT#12#MAPPING' });
    assert.deepEqual(keys.mapping('12', 'MAPPING'), { pk: 'S#demo#k3j9x2a7bq#MAPPINGS', sk: 'PRODUCT#12#OFFER#MAPPING' });
    assert.ok(!keys.mapping('123').sk.startsWith(keys.productSortPrefix('12')));
    assert.equal(keys.isProductMapping({ productId: '12', sk: 'PRODUCT#12#MAPPING' }), true);
    assert.equal(keys.isProductMapping({ productId: '12', sk: 'PRODUCT#12#OFFER#MAPPING' }), false);
    assert.equal(keys.productOfMappingSort('PRODUCT#12#OFFER#x'), '12');
  });
});
