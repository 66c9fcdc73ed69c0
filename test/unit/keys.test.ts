import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { STAGE_WIDE_LEASE, STAGE_WIDE_RUNS, attributes, keys } from '#lib/adapters/dynamodb/keys.ts';
import { quarantineIdOfBody } from '#lib/services/receive-webhook.ts';

const root = new URL('../../', import.meta.url);
const sources = (dir: string): string[] =>
  readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
/** A string literal that spells a key: `'TX#…'`, `` `STUDENT#${…}` ``, or a bare sort key such as 'MAPPING'. */
const KEY_LITERAL = /['"`](?:[A-Z]{2,}#|(?:MAPPING|EVENT|TXEVENT|TX|SUB|ERASURE|LEASE|RUN)['"`])/;
const code = (text: string) =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .map((line) => line.replace(/\s\/\/.*$/, ''));

describe('keys: built in one place, ready for schools', () => {
  it('no file of lib/ or functions/ but keys.ts spells a table key', () => {
    const offenders = [...sources('lib'), ...sources('functions')]
      .filter((file) => file !== 'lib/adapters/dynamodb/keys.ts')
      .flatMap((file) => code(readFileSync(new URL(file, root), 'utf8')).flatMap((line, i) => (KEY_LITERAL.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    assert.deepEqual(offenders, []);
  });

  it('builds the roster index value and the enrollment key from the same target part', () => {
    const target = { type: 'class' as const, id: 'turma-1' };
    assert.equal(attributes.rosterIndex(target), 'class#turma-1');
    assert.equal(keys.enrollment('a@example.com', target).sk, `${keys.enrollmentSortPrefix}${attributes.rosterIndex(target)}`);
    assert.equal(keys.enrollment('a@example.com', target).pk, keys.studentPartition('a@example.com'));
  });

  it('names the stage-wide singletons, unchanged: the lease, the runs partition, the quarantine id of a body', () => {
    assert.deepEqual(STAGE_WIDE_LEASE, { pk: 'LEASE', sk: 'reconciliation' });
    assert.deepEqual(keys.run('r1'), { pk: STAGE_WIDE_RUNS, sk: 'r1' });
    assert.equal(quarantineIdOfBody('{"a":1}'), createHash('sha256').update('{"a":1}').digest('hex'));
  });
});
