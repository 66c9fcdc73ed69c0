import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PREVIOUS_TOKEN, SCHOOL, TOKEN, captureLogs, createTestStack, fixture, invoke, scanAllTables } from '../helpers/stack.ts';
import { createSchool } from '../helpers/schools.ts';

// Logs at DEBUG: what the whole run logs is checked for secrets and personal data.
process.env.LOG_LEVEL = 'DEBUG';
await createTestStack();
await createSchool(SCHOOL);
const { handler } = await import('../../functions/webhook/handler.ts');
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);

const FIXTURES = [
  'PURCHASE_APPROVED', 'PURCHASE_APPROVED.one-time', 'PURCHASE_COMPLETE', 'PURCHASE_REFUNDED', 'PURCHASE_CHARGEBACK', 'PURCHASE_PROTEST',
  'PURCHASE_DELAYED', 'SUBSCRIPTION_CANCELLATION', 'SWITCH_PLAN', 'UPDATE_SUBSCRIPTION_CHARGE_DATE', 'CLUB_FIRST_ACCESS', 'CLUB_MODULE_COMPLETED',
].map((name) => JSON.parse(fixture(`${name}.json`)));
/** The v1 postback without its own hottok field: each request adds the one it presents. */
const V1 = fixture('v1.0.0-purchase-approved.form-urlencoded.txt').trim().replace(/^hottok=[^&]*&/, '');

/** A fixture with a few of its fields replaced by arbitrary JSON or removed. */
const mutatedFixture = fc
  .record({
    base: fc.constantFrom(...FIXTURES),
    edits: fc.array(fc.record({ path: fc.array(fc.constantFrom('id', 'event', 'version', 'data', 'creation_date', 'product', 'id', 'buyer', 'email', 'purchase', 'transaction', 'status', 'subscription', 'subscriber', 'code', 'date_next_charge', 'plans', 'offer'), { minLength: 1, maxLength: 4 }), value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }) }), { maxLength: 4 }),
  })
  .map(({ base, edits }) => {
    const body = structuredClone(base);
    for (const { path, value } of edits) {
      let node: any = body;
      for (const key of path.slice(0, -1)) node = typeof node?.[key] === 'object' && node[key] !== null ? node[key] : undefined;
      if (node && typeof node === 'object') {
        if (value === undefined) delete node[path.at(-1)!];
        else node[path.at(-1)!] = value;
      }
    }
    return body;
  });

const token = fc.oneof(
  { arbitrary: fc.constant(TOKEN), weight: 3 },
  { arbitrary: fc.constant(PREVIOUS_TOKEN), weight: 1 },
  { arbitrary: fc.constantFrom(undefined, '', ' ', `${TOKEN} `, TOKEN.toUpperCase(), TOKEN.slice(1), `${TOKEN}${TOKEN}`), weight: 3 },
  { arbitrary: fc.string({ maxLength: 64 }), weight: 2 },
  { arbitrary: fc.string({ minLength: 1000, maxLength: 8000 }), weight: 1 },
);

const request = fc.record({
  kind: fc.constantFrom('fixture', 'fixture', 'json', 'text', 'form', 'bytes'),
  body: fc.oneof(mutatedFixture, fc.jsonValue({ maxDepth: 3 })),
  text: fc.string({ maxLength: 300 }),
  bytes: fc.uint8Array({ maxLength: 300 }),
  formFields: fc.dictionary(fc.constantFrom('status', 'prod', 'email', 'transaction', 'off', 'name', 'doc', 'subscriber_code', 'x'), fc.string({ maxLength: 30 })),
  token,
  tokenInForm: fc.boolean(),
  header: fc.constantFrom('x-hotmart-hottok', 'X-HOTMART-HOTTOK', 'X-Hotmart-Hottok'),
  contentType: fc.oneof(
    { arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded'), weight: 6 },
    { arbitrary: fc.constantFrom(undefined, '', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/vnd.api+json'), weight: 2 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  ),
  base64: fc.boolean(),
});

const INTERNALS = /\n\s+at |\.ts:\d|node_modules|Error:|TypeError|ECONN|stack/;

describe(`hostile input: ${REQUESTS} generated and mutated deliveries`, () => {
  it('never answers 5xx or crashes, refuses every request without the right token, and leaks nothing', async (t) => {
    const unauthenticatedMarkers: string[] = [];
    const counts: Record<number, number> = {};
    let n = 0;
    const logs = await captureLogs(async () => {
      for (const r of fc.sample(request, { numRuns: REQUESTS, seed: Number(process.env.FUZZ_SEED ?? 20261128) })) {
        n++;
        const marker = `MARK${n}X`;
        let body: string;
        const formToken = r.tokenInForm && r.token !== undefined ? `&hottok=${encodeURIComponent(r.token)}` : '';
        switch (r.kind) {
          case 'fixture':
          case 'json':
            body = JSON.stringify(typeof r.body === 'object' && r.body !== null && !Array.isArray(r.body) ? { ...r.body, id: marker } : [marker, r.body]);
            break;
          case 'text':
            body = `${r.text}${marker}`;
            break;
          case 'form':
            body = `${new URLSearchParams({ ...r.formFields, transaction: marker }).toString()}${formToken}`;
            break;
          default:
            body = `${Buffer.from(r.bytes).toString('latin1')}${marker}`;
        }
        const v1 = r.kind === 'fixture' && n % 5 === 0;
        if (v1) body = `${V1.replace('HP2604117733', marker)}${formToken}`;
        const carriesFormToken = formToken !== '' && (r.kind === 'form' || v1);
        const headers: Record<string, string> = {};
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.token !== undefined && !r.tokenInForm) headers[r.header] = r.token;
        const presented = r.tokenInForm ? undefined : r.token;
        const inForm = carriesFormToken && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(r.contentType ?? '') ? r.token : undefined;
        const authenticated = presented === TOKEN || presented === PREVIOUS_TOKEN || ((presented === undefined) && (inForm === TOKEN || inForm === PREVIOUS_TOKEN));
        let response;
        try {
          response = await invoke(handler as never, {
            method: 'POST',
            path: `/schools/${SCHOOL}/webhooks/hotmart`,
            routeKey: 'POST /schools/{schoolId}/webhooks/hotmart',
            pathParameters: { schoolId: SCHOOL },
            headers,
            body: r.base64 ? Buffer.from(body).toString('base64') : body,
            isBase64Encoded: r.base64,
          });
        } catch (error) {
          assert.fail(`request ${n} crashed the handler: ${(error as Error).name}`);
        }
        counts[response.statusCode] = (counts[response.statusCode] ?? 0) + 1;
        assert.ok(response.statusCode < 500, `request ${n}: ${response.statusCode} ${response.rawBody}`);
        assert.ok(!INTERNALS.test(response.rawBody), `request ${n} leaked internals: ${response.rawBody}`);
        if (!authenticated) {
          unauthenticatedMarkers.push(marker);
          assert.ok([401, 413, 415].includes(response.statusCode), `request ${n} without the right token got ${response.statusCode}`);
        } else {
          assert.ok([200, 202, 415].includes(response.statusCode), `request ${n} with the token got ${response.statusCode} ${response.rawBody} ${JSON.stringify({ ...r, body: undefined, bytes: undefined, token: r.token?.slice(0, 40), headers })}`);
        }
      }
    });
    t.diagnostic(`answers: ${JSON.stringify(counts)}`);
    // The run must have exercised every path: applied, quarantined, refused.
    assert.ok((counts[200] ?? 0) > 100 && (counts[202] ?? 0) > 500 && (counts[401] ?? 0) > 1000, `too little of each kind: ${JSON.stringify(counts)}`);

    const stored = JSON.stringify(await scanAllTables());
    // Markers end in X, so MARK1X is never a prefix of MARK10X.
    assert.deepEqual(unauthenticatedMarkers.filter((marker) => stored.includes(marker)), [], 'stored something from a request without the right token');

    const logged = logs.join('\n');
    for (const secret of [TOKEN, PREVIOUS_TOKEN, '12345678909', '11987654321', '987654321', 'Rua Fict', '01000000']) {
      assert.ok(!logged.includes(secret), `logs contain ${secret}`);
    }
  });
});
