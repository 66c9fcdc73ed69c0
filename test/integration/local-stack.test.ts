import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from '../../scripts/local/dynamodb.ts';
import { newApproval, paste, post, printedCurls, startLocalStack } from '../helpers/local-stack.ts';

// `npm start` as a newcomer meets it. The cold burst, the curls printed without HOTMART_HOTTOK
// and the fake Hotmart API are in serverless.test.ts ("npm start").
describe('npm start, for a newcomer', () => {
  it('prints curls that work when pasted into a shell that has HOTMART_HOTTOK, and do not print the token', async () => {
    const token = `local-token-${Date.now()}`;
    const stack = await startLocalStack({ HOTMART_HOTTOK: token });
    try {
      const output = stack.output();
      assert.ok(!output.includes(token), 'the banner prints the token');
      const [putMapping, postFixture, getEnrollments] = printedCurls(output).filter((c) => !c.includes('/feed'));
      assert.equal(JSON.parse(paste(putMapping!)).productId, '3412911');
      assert.equal(JSON.parse(paste(postFixture!, { HOTMART_HOTTOK: token })).status, 'processed');
      assert.equal(JSON.parse(paste(getEnrollments!)).items[0].hasAccess, true);
      // The curl reads the token from the shell: without it there, the webhook refuses it.
      assert.equal(JSON.parse(paste(postFixture!)).error.code, 'AUTH.INVALID_TOKEN');
    } finally {
      stack.kill();
    }
  });

  it('shows a purchase reaching the local receiver as enrollment.granted and its refund as enrollment.revoked, with the printed commands', async () => {
    const stack = await startLocalStack();
    const receiverPort = await freePort();
    let printed = '';
    let receiver: ReturnType<typeof spawn> | undefined;
    try {
      const curls = printedCurls(stack.output());
      const putFeed = curls.find((c) => c.includes('-X PUT') && c.endsWith("/feed -H 'content-type: application/json' -d '{\"url\":\"http://127.0.0.1:4000/\"}'"));
      assert.ok(putFeed, `no feed PUT printed:\n${stack.output()}`);
      assert.match(stack.output(), /npm run feed:receive -- --secret 'whsec_…' --port 4000/);
      const put = JSON.parse(paste(putFeed.replace('127.0.0.1:4000/', `127.0.0.1:${receiverPort}/`)));
      assert.match(put.secret, /^whsec_/);
      receiver = spawn('npm', ['run', '-s', 'feed:receive', '--', '--secret', put.secret, '--port', String(receiverPort)], { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      receiver.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const until = async (what: RegExp, ms: number) => {
        for (const deadline = Date.now() + ms; !what.test(printed); await new Promise((resolve) => setTimeout(resolve, 100))) {
          assert.ok(Date.now() < deadline, `the receiver did not print ${what}:\n${printed}\n${stack.output()}`);
        }
      };
      await until(/receiving feed deliveries/, 60_000);
      const [putMapping, postFixture, , postRefund] = curls.filter((c) => !c.includes('/feed'));
      assert.equal(JSON.parse(paste(putMapping!)).productId, '3412911');
      assert.equal(JSON.parse(paste(postFixture!)).status, 'processed');
      await until(/enrollment\.granted/, 60_000);
      assert.match(postRefund!, /PURCHASE_REFUNDED\.one-time\.json/);
      assert.equal(JSON.parse(paste(postRefund!)).status, 'processed');
      await until(/enrollment\.revoked/, 60_000);
      const lines = printed.split('\n').filter((line) => line.startsWith('enrollment.'));
      assert.match(lines[0]!, /^enrollment\.granted evt_\S+ seq=1 lucas\.exemplo@example\.com course:edicao active hasAccess=true$/);
      assert.match(lines[1]!, /^enrollment\.revoked evt_\S+ seq=2 lucas\.exemplo@example\.com course:edicao revoked hasAccess=false$/);
      assert.equal(lines.length, 2);
    } finally {
      if (receiver?.pid) {
        try {
          process.kill(-receiver.pid, 'SIGKILL');
        } catch {
          // already stopped
        }
      }
      stack.kill();
    }
  });

  it('answers 500, as API Gateway does, when a function fails, and says which at start', async () => {
    // A real failure of the real functions: a configuration they refuse fails their cold start.
    const stack = await startLocalStack({ DYNAMODB_REQUEST_TIMEOUT_MS: '50' });
    try {
      assert.match(stack.output(), /npm start: GET \/schools\/demo\/webhooks\/hotmart answered 500/);
      assert.match(stack.output(), /npm start: PUT \/schools\/demo answered 500/);
      const answer = await post(stack.base, newApproval(3412911), 'dev-hottok-change-me');
      assert.deepEqual(answer, { status: 500, body: { message: 'Internal Server Error' } });
      const read = await fetch(`${stack.base}/enrollments?email=someone@example.com`);
      assert.equal(read.status, 500);
    } finally {
      stack.kill();
    }
  });

  it('names the busy port instead of failing with a bare EADDRINUSE', async () => {
    const port = await freePort();
    const busy = createServer().listen(port + 2, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    try {
      const run = spawnSync('npm', ['start'], { cwd: new URL('../..', import.meta.url).pathname, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PORT: String(port), LAMBDA_PORT: '', DYNAMODB_ENDPOINT: '' } });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, new RegExp(`port ${port + 2} \\(LAMBDA_PORT, serverless-offline's Lambda endpoint \\(PORT\\+2 unless set\\)\\) is already in use`));
      assert.doesNotMatch(run.stdout + run.stderr, /EADDRINUSE/);
    } finally {
      busy.close();
    }
  });
});
