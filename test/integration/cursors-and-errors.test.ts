import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconciliationRoutes } from '../../functions/reconciliations/routes.ts';
import { createReconciliationDeps } from '#lib/adapters/dynamodb/index.ts';
import { loadConfig } from '#lib/config.ts';
import { httpHandler } from '#lib/http/handler.ts';
import { createLogger } from '#lib/logger.ts';
import { captureLogs, createTestStack, freshEvent, loadHandlers, schoolRoute } from '../helpers/stack.ts';

// Error logs are part of what is asserted.
process.env.LOG_LEVEL = 'WARN';
await createTestStack();
const api = await loadHandlers();
const at = schoolRoute(api.schoolId);
const logger = createLogger('reconciliations', loadConfig().logLevel);
const recon = httpHandler(
  logger,
  [],
  reconciliationRoutes(createReconciliationDeps(loadConfig()), { launch: async () => {}, leaseMs: 60_000, logger }),
);
const runs = (query: Record<string, string>) => at(recon, 'GET /reconciliations', {}, { query });

await api.putMapping('7100001', { targets: [{ type: 'class', id: 'cursor-a' }, { type: 'class', id: 'cursor-b' }] });
for (let i = 0; i < 3; i++) {
  await api.postWebhook(JSON.stringify(freshEvent('PURCHASE_APPROVED', { transaction: `HPCURSOR${i}`, email: `cursor.student-${i}@example.com`, productId: 7100001 })));
}
for (let i = 0; i < 3; i++) await api.putMapping(`710001${i}`, { targets: [{ type: 'course', id: `cursor-list-${i}` }] });
for (let i = 0; i < 3; i++) await api.postWebhook('{"not":"understood"}' + ' '.repeat(i));

const roster = (targetId: string, extra: Record<string, string> = {}) => api.enrollments({ targetType: 'class', targetId, limit: '1', ...extra });

describe('page cursors', () => {
  it('carry no personal data: a roster cursor does not show the student’s e-mail', async () => {
    const page = await roster('cursor-a');
    assert.equal(page.statusCode, 200);
    const cursor: string = page.body.nextCursor;
    assert.ok(cursor);
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    assert.ok(!/cursor\.student|example\.com|STUDENT#/.test(decoded + cursor), `cursor shows its key: ${decoded}`);
  });

  it('answer 400 REQUEST.INVALID (field cursor) for a cursor of another list, a forged or an altered one — never 503, never an error log', async () => {
    const rosterCursor: string = (await roster('cursor-a')).body.nextCursor;
    const mappingsCursor: string = (await api.listMappings({ limit: '1' })).body.nextCursor;
    const quarantineCursor: string = (await api.quarantine({ limit: '1' })).body.nextCursor;
    assert.ok(rosterCursor && mappingsCursor && quarantineCursor);
    // What the old cursors were: base64url of the start key, readable and forgeable.
    const forged = Buffer.from(JSON.stringify({ pk: 'PRODUCT#1', sk: 'MAPPING' })).toString('base64url');
    const altered = rosterCursor.slice(0, -2) + (rosterCursor.endsWith('AA') ? 'BB' : 'AA');
    const attempts: [string, () => Promise<any>][] = [
      ['roster cursor on another target', () => roster('cursor-b', { cursor: rosterCursor })],
      ['roster cursor on the mappings list', () => api.listMappings({ cursor: rosterCursor })],
      ['mappings cursor on the quarantine list', () => api.quarantine({ cursor: mappingsCursor })],
      ['quarantine cursor on a roster', () => roster('cursor-a', { cursor: quarantineCursor })],
      ['mappings cursor on the reconciliation runs', () => runs({ cursor: mappingsCursor })],
      ['forged cursor', () => api.listMappings({ cursor: forged })],
      ['altered cursor', () => roster('cursor-a', { cursor: altered })],
      ['garbage', () => api.quarantine({ cursor: 'garbage' })],
    ];
    const logs = await captureLogs(async () => {
      for (const [what, attempt] of attempts) {
        const response = await attempt();
        assert.equal(response.statusCode, 400, `${what}: ${response.rawBody}`);
        assert.equal(response.body.error.code, 'REQUEST.INVALID', what);
        assert.deepEqual(response.body.error.issues.map((i: { field: string }) => i.field), ['cursor'], what);
        assert.equal(response.headers['retry-after'], undefined, what);
      }
    });
    assert.deepEqual(logs.filter((line) => JSON.parse(line).level === 'ERROR'), []);
  });

  it('still page through every list, each with its own cursors', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await roster('cursor-a', cursor ? { cursor } : {});
      assert.equal(page.statusCode, 200);
      seen.push(...page.body.items.map((i: any) => i.email));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [0, 1, 2].map((i) => `cursor.student-${i}@example.com`));
  });
});
