import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { buildDelivery } from '../../cli/commands/send-test.ts';
import { runCli } from '../../cli/main.ts';
import { AUDITED_ROUTES } from '#lib/http/audit-routes.ts';
import { freePort } from '../../scripts/local/dynamodb.ts';
import type { LocalStack } from '../helpers/local-stack.ts';
import { startLocalStack } from '../helpers/local-stack.ts';

// The CLI as an operator runs it, against `HOTMART_API=fake npm start` (one stack for the file):
// every command with --json, its exit code, and the bin through npx.
const SCHOOL = 'escola-cli';
const TOKEN = 'cli-hottok-0123456789abcdef';
const root = new URL('../..', import.meta.url).pathname;
let stack: LocalStack;
let webhookUrl: string;

type Run = { code: number; stdout: string; stderr: string; json: any };
async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (write(chunk.toString()), done()) });
  const code = await runCli(['--url', stack.api, '--json', ...args], { stdout: sink((t) => (stdout += t)), stderr: sink((t) => (stderr += t)), env: {} });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    // not JSON (an error)
  }
  return { code, stdout, stderr, json };
}
/** A command that must succeed: its --json output. */
async function ok(...args: string[]): Promise<any> {
  const run = await cli(...args);
  assert.equal(run.code, 0, `${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stderr.includes("fetch failed") ? `\nnpm start printed …${stack.output().slice(-2500)}` : ""}`);
  return run.json;
}

before(async () => {
  // Ten minutes to come up: the file's one stack, on a machine other test files may load too.
  stack = await startLocalStack({ HOTMART_API: 'fake' }, { readyWithinMs: 600_000 });
  webhookUrl = `${stack.api}/schools/${SCHOOL}/webhooks/hotmart`;
});
after(() => stack?.kill());

describe('the CLI, against npm start', () => {
  it('creates a school, sets its token and credential, and shows it with its status', async () => {
    assert.equal((await ok('schools', 'create', SCHOOL, '--name', 'Escola CLI')).schoolId, SCHOOL);
    assert.deepEqual(await ok('schools', 'set-token', SCHOOL, '--token', TOKEN), { schoolId: SCHOOL, token: 'set' });
    assert.equal((await ok('schools', 'health', SCHOOL)).status, 'ok');
    const credential = await ok('schools', 'set-credentials', SCHOOL, '--client-id', 'demo-client-id', '--client-secret', 'demo-client-secret');
    assert.equal(credential.clientId, 'demo-client-id');
    assert.equal((await ok('schools', 'credentials', SCHOOL)).clientId, 'demo-client-id');
    const shown = await ok('schools', 'show', SCHOOL);
    assert.equal(shown.name, 'Escola CLI');
    assert.ok(shown.status, 'the status is shown');
    assert.ok((await ok('schools', 'list')).items.some((s: any) => s.schoolId === SCHOOL));
  });

  it('maps a product and an offer from flags, and shows, lists and deletes them', async () => {
    const put = await ok('mappings', 'put', SCHOOL, '3412911', '--target', 'course:fotografia', '--target', 'class:turma-1', '--price', '197', '--sales-url', 'https://escola.example.com/fotografia');
    assert.deepEqual([put.productId, put.targets, put.price], ['3412911', [{ type: 'course', id: 'fotografia' }, { type: 'class', id: 'turma-1' }], { value: 197, currency: 'BRL' }]);
    assert.equal((await ok('mappings', 'show', SCHOOL, '3412911')).salesUrl, 'https://escola.example.com/fotografia');
    assert.deepEqual((await ok('mappings', 'list', SCHOOL)).items.map((m: any) => m.productId), ['3412911']);
    assert.deepEqual((await ok('offers', 'put', SCHOOL, '3412911', 'anual01', '--target', 'plan:anual')).targets, [{ type: 'plan', id: 'anual' }]);
    assert.equal((await ok('offers', 'show', SCHOOL, '3412911', 'anual01')).offerCode, 'anual01');
    assert.deepEqual((await ok('offers', 'list', SCHOOL, '3412911')).items.map((o: any) => o.offerCode), ['anual01']);
    assert.deepEqual(await ok('offers', 'delete', SCHOOL, '3412911', 'anual01'), { productId: '3412911', offerCode: 'anual01', deleted: true });
    await ok('mappings', 'put', SCHOOL, '3412999', '--target', 'course:descartado');
    assert.deepEqual(await ok('mappings', 'delete', SCHOOL, '3412999'), { productId: '3412999', deleted: true });
  });

  it('sends a test purchase, finds the student and the transaction, and the refund that followed', async () => {
    const sent = await ok('send-test', webhookUrl, '--token', TOKEN, '--product', '3412911', '--email', 'ana.cli@example.com', '--transaction', 'HPCLI0001');
    assert.deepEqual([sent.status, sent.answer.status, sent.sent.transaction], [200, 'processed', 'HPCLI0001']);
    const student = await ok('student', SCHOOL, 'ana.cli@example.com');
    assert.deepEqual(student.enrollments.map((e: any) => [e.target.id, e.hasAccess]).sort(), [['fotografia', true], ['turma-1', true]]);
    assert.deepEqual(student.events.map((e: any) => e.id), [sent.sent.id]);

    await ok('send-test', webhookUrl, '--token', TOKEN, '--event', 'PURCHASE_REFUNDED', '--product', '3412911', '--email', 'ana.cli@example.com', '--transaction', 'HPCLI0001');
    const tx = await ok('tx', SCHOOL, 'HPCLI0001');
    assert.deepEqual(tx.events.map((e: any) => [e.event, e.outcome.status, e.outcome.effects[0].to]), [['PURCHASE_APPROVED', 'processed', 'APPROVED'], ['PURCHASE_REFUNDED', 'processed', 'REFUNDED']]);
    assert.equal((await ok('student', SCHOOL, 'ana.cli@example.com')).enrollments.every((e: any) => !e.hasAccess), true);
  });

  it('shows what waits for a mapping and what is quarantined for the student, and replays a corrected delivery', async () => {
    const waiting = await ok('send-test', webhookUrl, '--token', TOKEN, '--product', '3419000', '--email', 'bia.cli@example.com');
    assert.equal(waiting.answer.status, 'unmapped');
    // A delivery the parser does not understand, naming the buyer.
    const broken = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hotmart-hottok': TOKEN }, body: JSON.stringify({ event: 'PURCHASE_APPROVED', data: { buyer: { email: 'bia.cli@example.com' } } }) });
    const { quarantineId } = (await broken.json()) as { quarantineId: string };
    const student = await ok('student', SCHOOL, 'bia.cli@example.com');
    assert.deepEqual(student.waiting.map((w: any) => [w.productId, w.eventId]), [['3419000', waiting.sent.id]]);
    assert.deepEqual(student.quarantined.map((q: any) => q.id), [quarantineId]);
    assert.ok((await ok('quarantine', 'list', SCHOOL)).items.some((q: any) => q.id === quarantineId));

    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const corrected = join(dir, 'corrected.json');
      writeFileSync(corrected, JSON.stringify(buildDelivery({ event: 'PURCHASE_APPROVED', product: '3412911', email: 'bia.cli@example.com', name: 'Bia', price: 197, transaction: 'HPCLI0002' })));
      assert.equal((await ok('quarantine', 'replay', SCHOOL, quarantineId, '--body-file', corrected)).status, 'processed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal((await ok('student', SCHOOL, 'bia.cli@example.com')).quarantined.length, 0);
  });

  it('grants and removes access by hand, and shows and replays an event', async () => {
    const granted = await ok('grant', SCHOOL, 'revisor@example.com', 'course:fotografia', '--note', 'Hotmart review');
    assert.deepEqual([granted.hasAccess, granted.manual.note], [true, 'Hotmart review']);
    assert.deepEqual(await ok('remove', SCHOOL, 'revisor@example.com', 'course:fotografia'), { email: 'revisor@example.com', target: { type: 'course', id: 'fotografia' }, removed: true });
    const [first] = (await ok('tx', SCHOOL, 'HPCLI0001')).events;
    assert.equal((await ok('event', 'show', SCHOOL, first.id)).transaction, 'HPCLI0001');
    assert.equal((await ok('event', 'replay', SCHOOL, first.id)).eventId, first.id);
  });

  it('reconciles against the fake Hotmart API, waiting with progress, and names the students the run granted', async () => {
    const run = await cli('reconcile', SCHOOL, '--from', new Date(Date.now() - 72 * 3600_000).toISOString(), '--wait', '--poll-seconds', '0.2');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json.status, 'succeeded');
    assert.match(run.stderr, /run r-\S+ started/);
    assert.ok(run.json.students.granted.some((s: any) => s.email === 'demo.lost.purchase@example.com'), JSON.stringify(run.json.students));
    assert.equal(run.json.report.applied.grants, run.json.students.granted.length);
    assert.deepEqual((await ok('reconciliations', SCHOOL)).items.map((r: any) => r.id), [run.json.id]);
    assert.equal((await ok('reconciliations', SCHOOL, run.json.id)).students.granted.length, run.json.students.granted.length);
  });

  it('points the feed at `feed receive`, which verifies and prints a purchase’s events; pulls them, and the audit shows who', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const created = await ok('feed', 'set', SCHOOL, '--endpoint', url);
    assert.match(created.secret, /^whsec_/, 'the secret, on creation');
    const again = await ok('feed', 'set', SCHOOL, '--endpoint', url, '--type', 'enrollment.granted', '--type', 'enrollment.revoked');
    assert.deepEqual([again.secret, again.types], [undefined, ['enrollment.granted', 'enrollment.revoked']], 'not shown again');
    assert.deepEqual([(await ok('feed', 'show', SCHOOL)).url, (await ok('feed', 'show', SCHOOL)).state], [url, 'active']);

    const receiver = spawn(process.execPath, ['cli/bin.mjs', '--json', 'feed', 'receive', '--port', String(port), '--secret', created.secret], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    receiver.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    receiver.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const lines = () => out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    /** Polls what the receiver printed until `found` holds (a deadline for a loaded machine, no fixed sleep). */
    const until = async <T>(what: string, found: () => T | undefined): Promise<T> => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const value = found();
        if (value !== undefined) return value;
        if (Date.now() > deadline || receiver.exitCode !== null) assert.fail(`${what}: the receiver printed ${out}${err}\nnpm start printed …${stack.output().slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await until('the receiver listening', () => (err.includes('receiving feed deliveries on') ? true : undefined));
      const ping = await ok('feed', 'ping', SCHOOL);
      assert.equal(ping.status, 204);
      await until('the ping', () => lines().find((line) => line.verified && line.event.type === 'ping'));

      const sent = await ok('send-test', webhookUrl, '--token', TOKEN, '--product', '3412911', '--email', 'caio.cli@example.com', '--transaction', 'HPCLI0003');
      const granted = await until('enrollment.granted for both targets', () => {
        const events = lines().filter((line) => line.verified && line.event.type === 'enrollment.granted' && line.event.enrollment.email === 'caio.cli@example.com');
        return events.length === 2 ? events.map((line) => line.event) : undefined;
      });
      assert.deepEqual(granted.map((e: any) => e.enrollment.target.id).sort(), ['fotografia', 'turma-1']);
      assert.ok(granted.every((e: any) => e.cause.eventId === sent.sent.id && e.enrollment.hasAccess === true && e.sequence >= 1));

      const pulled: any[] = [];
      let after: string | undefined;
      do {
        const page = await ok('feed', 'events', SCHOOL, '--limit', '100', ...(after ? ['--after', after] : []));
        pulled.push(...page.items);
        after = page.nextCursor ?? undefined;
      } while (after);
      for (const event of granted) assert.deepEqual(pulled.find((e) => e.id === event.id), event, 'the pull has the pushed body');

    } finally {
      receiver.kill('SIGTERM');
    }

    const { items } = await ok('audit', SCHOOL, '--limit', '100');
    const mappingPut = items.find((r: any) => r.action === 'mapping.put' && r.ids.productId === '3412911');
    assert.equal(mappingPut?.by, 'local');
    // The feed's writes are audited once the feed function's chain has audited() (AUDITED_ROUTES names them).
    if (AUDITED_ROUTES['PUT /schools/{schoolId}/feed']) assert.equal(items.find((r: any) => r.route === 'PUT /schools/{schoolId}/feed')?.by, 'local');
  });

  it('erases a student, drops the previous token and the credential, and deletes the school', async () => {
    const erased = await ok('erase', 'student', SCHOOL, 'ana.cli@example.com', '--yes');
    assert.match(erased.pseudonym, /\S/);
    assert.equal((await ok('student', SCHOOL, 'ana.cli@example.com')).enrollments.length, 0);
    assert.deepEqual(await ok('schools', 'drop-previous-token', SCHOOL), { schoolId: SCHOOL, previousToken: 'dropped' });
    assert.deepEqual(await ok('schools', 'delete-credentials', SCHOOL), { schoolId: SCHOOL, credentials: 'deleted' });
    assert.deepEqual(await ok('erase', 'school', SCHOOL, '--yes'), { schoolId: SCHOOL, status: 'deleted' });
    assert.equal((await cli('schools', 'show', SCHOOL)).code, 1);
  });
});

describe('the CLI’s exit codes', () => {
  it('is 2 for a command line it cannot run, and 1 when the API refuses (a 404), saying why on stderr', async () => {
    for (const args of [['nonsense'], ['mappings', 'put', 'demo', '1'], ['mappings', 'put', 'demo', '1', '--target', 'fotografia'], ['erase', 'student', 'demo', 'x@example.com'], ['reconcile', 'demo', '--from', 'yesterday'], ['feed', 'replay', 'demo'], ['feed', 'replay', 'demo', '--from', 'yesterday'], ['feed', 'receive']]) {
      assert.equal((await cli(...args)).code, 2, args.join(' '));
    }
    const noTarget = await runCli(['schools', 'list'], { stdout: new Writable({ write: (_c, _e, done) => done() }), stderr: new Writable({ write: (_c, _e, done) => done() }), env: {} });
    assert.equal(noTarget, 2, 'neither --url nor --stage');
    const missing = await cli('mappings', 'show', 'demo', '999999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404 MAPPING\.NOT_FOUND/);
  });

  it('npx hotmart-enrollments runs from the repository with no build step, with the same exit codes', async () => {
    // Spawned asynchronously: a synchronous spawn would stop this process from reading npm start's output meanwhile.
    const npx = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('npx', ['hotmart-enrollments', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
    const listed = await npx('--url', stack.api, '--json', 'schools', 'list');
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(JSON.parse(listed.stdout).items.some((s: any) => s.schoolId === 'demo'));
    assert.equal((await npx('--url', stack.api, 'schools', 'show', 'no-such-school')).status, 1);
    assert.equal((await npx('schools', 'list')).status, 2);
  });

  it('starts a replay of a time range (202, its rpl_ id), and the stack still answers after its redrive; both forms at once is a usage error', async () => {
    assert.equal((await cli('feed', 'replay', 'demo', '--event-id', 'evt_01M8SAS1EB0000RZHSJ9J0AJTA', '--from', '2026-12-01T00:00:00Z')).code, 2);
    await ok('feed', 'set', 'demo', '--endpoint', `http://127.0.0.1:${await freePort()}/`);
    const replay = await ok('feed', 'replay', 'demo', '--from', new Date(Date.now() - 3600_000).toISOString());
    assert.deepEqual([replay.status, replay.replay.startsWith('rpl_')], [202, true]);
    // The redrive runs under npm start (serverless-offline's Lambda endpoint) with the local queue: the stack is still up.
    assert.equal((await ok('feed', 'show', 'demo')).state, 'active');
  });
});
