import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort } from '../../scripts/local/dynamodb.ts';
import { fixtureJson } from './stack.ts';

const root = new URL('../..', import.meta.url).pathname;

export type LocalStack = {
  /** The demo school's routes: http://127.0.0.1:<port>/schools/demo. */
  base: string;
  /** The API's root. */
  api: string;
  port: number;
  /** Everything `npm start` printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM to the whole process group, as Ctrl-C would; resolves when npm exits. */
  terminate(): Promise<void>;
  /** SIGKILL to whatever of the process group is left (for `finally`). */
  kill(): void;
};

/**
 * `npm start` as a user runs it, on free ports, with `env` on top of this process's environment.
 * Resolves when the banner is printed (or `npm start` exits).
 */
export async function startLocalStack(env: Record<string, string> = {}, { readyWithinMs = 120_000 } = {}): Promise<LocalStack> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LAMBDA_PORT: String(await freePort()), HOTMART_HOTTOK: '', SCHOOL_ID: '', DYNAMODB_ENDPOINT: '', HOTMART_API: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already stopped
    }
  };
  const deadline = Date.now() + readyWithinMs;
  while (!output.includes('Ctrl-C stops everything') && exitCode === undefined) {
    if (Date.now() > deadline) {
      kill('SIGKILL');
      assert.fail(`npm start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // What the banner's trailing warnings say is printed right after it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    base: `http://127.0.0.1:${port}/schools/demo`,
    api: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    exited,
    async terminate() {
      kill('SIGTERM');
      await exited;
    },
    kill: () => kill('SIGKILL'),
  };
}

/** The curl commands the banner prints, each joined across its `\` continuation lines. */
export function printedCurls(output: string): string[] {
  const joined = output.replace(/\\\n\s*/g, '');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('curl '));
}

/** Runs one printed command as pasted into bash, with `env` as the shell's environment. */
export function paste(command: string, env: Record<string, string> = {}): string {
  const run = spawnSync('bash', ['-c', command], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env } });
  assert.equal(run.status, 0, `${command}\n${run.stderr}`);
  return run.stdout;
}

type Answer = { status: number; body: any };

/** A delivery to the school whose routes start at `base`. */
export async function post(base: string, body: unknown, token: string): Promise<Answer> {
  const response = await fetch(`${base}/webhooks/hotmart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hotmart-hottok': token },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** A one-time approval of `productId` with a fresh id, transaction and buyer. */
export function newApproval(productId: number) {
  const body = fixtureJson('PURCHASE_APPROVED.one-time');
  const key = randomUUID().slice(0, 8);
  body.id = randomUUID();
  body.data.product.id = productId;
  body.data.purchase.transaction = `HPBURST${key}`;
  body.data.buyer.email = `burst-${key}@example.com`;
  return body;
}

/** Counts of "status status-field" over answers, e.g. {"200 duplicate": 49, "200 processed": 1}. */
export function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, body } of answers) {
    const key = `${status} ${body?.status ?? body?.error?.code ?? body?.errorType ?? body?.message ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
