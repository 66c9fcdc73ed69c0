import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sendWebhook } from '#lib/adapters/webhooks/send.ts';
import { newSecret } from '#lib/adapters/webhooks/sign.ts';
import { startFeedReceiver } from '../../cli/feed-receiver.ts';
import type { FeedReceiver } from '../../cli/feed-receiver.ts';

const secret = newSecret();
const event = (id: string, sequence: number, type = 'enrollment.granted') =>
  JSON.stringify({
    id,
    type,
    sequence,
    apiVersion: '2026-12-01',
    enrollment: { email: 'ana@example.com', target: { type: 'course', id: 'python-101' }, status: 'active', hasAccess: true, accessUntil: null },
  });
const receivers: FeedReceiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));
async function receiver(options: { failFirst?: number; failStatus?: number } = {}) {
  const lines: string[] = [];
  const started = await startFeedReceiver({ secret, port: 0, print: (line) => lines.push(line), ...options });
  receivers.push(started);
  const deliver = (id: string, body: string, secrets = [secret]) => sendWebhook({ url: started.url, id, body, secrets }, { local: true });
  return { lines, deliver };
}

describe('the local feed receiver (feed receive, npm run feed:receive)', () => {
  it('accepts a signed delivery and prints its type, id, sequence and enrollment', async () => {
    const { lines, deliver } = await receiver();
    const result = await deliver('evt_1', event('evt_1', 1));
    assert.equal(result.outcome, 'delivered');
    assert.deepEqual(lines, ['enrollment.granted evt_1 seq=1 ana@example.com course:python-101 active hasAccess=true']);
  });

  it('answers 401 to a delivery signed with another secret, and prints no secret', async () => {
    const { lines, deliver } = await receiver();
    const result = await deliver('evt_2', event('evt_2', 1), [newSecret()]);
    assert.deepEqual([result.outcome, result.status], ['retry', 401]);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^rejected evt_2: bad signature/);
    assert.ok(lines.every((line) => !line.includes(secret) && !line.includes(secret.slice(6))));
  });

  it('fails the first N deliveries with the status asked for, then accepts', async () => {
    const { lines, deliver } = await receiver({ failFirst: 2, failStatus: 503 });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await deliver('evt_3', event('evt_3', 1))).status);
    assert.deepEqual(statuses, [503, 503, 204]);
    assert.match(lines.at(-1)!, /^enrollment.granted evt_3 seq=1 /);
  });

  it('applies the ordering rule: a copy or a lower sequence is shown as such', async () => {
    const { lines, deliver } = await receiver();
    await deliver('evt_5', event('evt_5', 2, 'enrollment.revoked'));
    await deliver('evt_4', event('evt_4', 1));
    await deliver('evt_5', event('evt_5', 2, 'enrollment.revoked'));
    assert.match(lines[1]!, /evt_4 seq=1 .*\(stale: sequence 2 already applied, ignored\)$/);
    assert.match(lines[2]!, /evt_5 .*\(a copy: already received\)$/);
  });
});

describe('the local feed receiver with --json', () => {
  it('prints one JSON line per delivery: the verified event and its ordering note, or the rejection', async () => {
    const lines: string[] = [];
    const started = await startFeedReceiver({ secret, port: 0, json: true, print: (line) => lines.push(line) });
    receivers.push(started);
    await sendWebhook({ url: started.url, id: 'evt_6', body: event('evt_6', 1), secrets: [secret] }, { local: true });
    await sendWebhook({ url: started.url, id: 'evt_6', body: event('evt_6', 1), secrets: [secret] }, { local: true });
    await sendWebhook({ url: started.url, id: 'evt_7', body: event('evt_7', 2), secrets: [newSecret()] }, { local: true });
    const [first, copy, rejected] = lines.map((line) => JSON.parse(line));
    assert.deepEqual([first.verified, first.note, first.event.id, first.event.enrollment.email], [true, null, 'evt_6', 'ana@example.com']);
    assert.deepEqual([copy.verified, copy.note], [true, 'copy']);
    assert.deepEqual(rejected, { verified: false, id: 'evt_7', status: 401 });
  });
});
