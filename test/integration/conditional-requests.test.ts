import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestStack, loadHandlers, schoolRoute, scanAllTables } from '../helpers/stack.ts';

await createTestStack();
const api = await loadHandlers();
const at = schoolRoute(api.schoolId);
const { handler: mappings } = await import('../../functions/mappings/handler.ts');
const course = (id: string) => ({ targets: [{ type: 'course', id }] });
const targetsOf = async (productId: string) => (await api.getMapping(productId)).body.targets;
const putOffer = (productId: string, offerCode: string, body: unknown, headers: Record<string, string> = {}) =>
  at(mappings, 'PUT /mappings/{productId}/offers/{offerCode}', { productId, offerCode }, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const deleteOffer = (productId: string, offerCode: string, headers: Record<string, string>) =>
  at(mappings, 'DELETE /mappings/{productId}/offers/{offerCode}', { productId, offerCode }, { headers });

describe('conditional requests (RFC 9110)', () => {
  it('answers 412, changing nothing, to an If-Match that names no current version — well-formed or not', async () => {
    await api.putMapping('7300001', course('v1'));
    for (const tag of ['"7"', 'W/"1"', 'garbage', '"abc"', '"1', '', '"2", "3"']) {
      const response = await api.putMapping('7300001', course('changed'), { 'if-match': tag });
      assert.equal(response.statusCode, 412, `If-Match: ${tag} → ${response.rawBody}`);
      assert.equal(response.body.error.code, 'MAPPING.VERSION_MISMATCH');
      assert.equal((await api.deleteMapping('7300001', { 'if-match': tag })).statusCode, 412, `DELETE If-Match: ${tag}`);
    }
    assert.deepEqual(await targetsOf('7300001'), [{ type: 'course', id: 'v1' }]);
  });

  it('accepts a list of tags when any is the current version', async () => {
    await api.putMapping('7300002', course('v1'));
    const listed = await api.putMapping('7300002', course('v2'), { 'if-match': '"5", "1", W/"9"' });
    assert.equal(listed.statusCode, 200, listed.rawBody);
    assert.equal(listed.headers.etag, '"2"');
    assert.equal((await api.putMapping('7300002', course('v3'), { 'if-match': '"2"' })).statusCode, 200);
    assert.equal((await api.deleteMapping('7300002', { 'if-match': '"1","3"' })).statusCode, 204);
  });

  it('reads If-Match: * as "if it exists": 412 when absent, applied when present', async () => {
    const absent = await api.putMapping('7300003', course('x'), { 'if-match': '*' });
    assert.equal(absent.statusCode, 412);
    assert.equal((await api.getMapping('7300003')).statusCode, 404);
    assert.equal((await api.deleteMapping('7300003', { 'if-match': '*' })).statusCode, 412);
    await api.putMapping('7300003', course('x'));
    assert.equal((await api.putMapping('7300003', course('y'), { 'if-match': '*' })).statusCode, 200);
    assert.equal((await api.deleteMapping('7300003', { 'if-match': '*' })).statusCode, 204);
  });

  it('makes a PUT create-only with If-None-Match: *: 201 with Location when absent, 412 when it exists', async () => {
    const created = await api.putMapping('07300004', course('first'), { 'if-none-match': '*' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, `/schools/${api.schoolId}/mappings/7300004`);
    const again = await api.putMapping('7300004', course('second'), { 'if-none-match': '*' });
    assert.equal(again.statusCode, 412);
    assert.deepEqual(await targetsOf('7300004'), [{ type: 'course', id: 'first' }]);
    // A tag list: refused when it names the current version, applied otherwise.
    assert.equal((await api.putMapping('7300004', course('second'), { 'if-none-match': '"1"' })).statusCode, 412);
    assert.equal((await api.putMapping('7300004', course('second'), { 'if-none-match': '"7"' })).statusCode, 200);
    assert.equal((await api.putMapping('7300004', course('third'))).headers.location, undefined, 'a replacement (200) has no Location');
  });

  it('gives an offer override the same preconditions, and its 201 a Location', async () => {
    const created = await putOffer('7300005', 'y7ann01q', course('anual'), { 'if-none-match': '*' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, `/schools/${api.schoolId}/mappings/7300005/offers/y7ann01q`);
    assert.equal((await putOffer('7300005', 'y7ann01q', course('other'), { 'if-none-match': '*' })).statusCode, 412);
    assert.equal((await putOffer('7300005', 'y7ann01q', course('other'), { 'if-match': '"2"' })).statusCode, 412);
    assert.equal((await deleteOffer('7300005', 'y7ann01q', { 'if-match': 'nope' })).statusCode, 412);
    assert.equal((await deleteOffer('7300005', 'y7ann01q', { 'if-match': '"1"' })).statusCode, 204);
  });

  it('lets DynamoDB decide between concurrent create-only PUTs: exactly one 201', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => api.putMapping('7300006', course(`racer-${i}`), { 'if-none-match': '*' })));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 412, 412, 412]);
    const stored = (await scanAllTables()).filter((item) => String(item.sk).startsWith('PRODUCT#7300006#'));
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.version, 1);
  });
});
