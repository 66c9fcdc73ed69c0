/**
 * Round trips (and capacity units) per delivery: the service's requests counted by an SDK
 * middleware on its own client; the peer's (whose clients live inside its bundle) by a counting
 * proxy in front of DynamoDB Local.
 */
import http from 'node:http';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { localDevelopmentPepperSource } from '#lib/adapters/secrets/pepper.ts';
import { loadConfig } from '#lib/config.ts';
import { webhookHandler } from '#lib/http/webhook.ts';
import { createLogger } from '#lib/logger.ts';
import { freePort } from '../../scripts/local/dynamodb.ts';
import type { BundleFigures } from './bundles.ts';
import { apiEvent, lambdaContext, purchase, renewal, UNMAPPED_PRODUCT } from './stack.ts';
import type { BenchStack } from './stack.ts';

export type Trip = { status: string; requests: number; writeUnits: number; readUnits: number; commands: string[] };
export type RoundTripFigures = {
  newCold: Trip;
  newWarm: Trip;
  duplicate: Trip;
  unmappedCold: Trip;
  unmappedWarm: Trip;
  firstCharge: Trip;
  renewalCharge: Trip;
  peerNew: { status: string; requests: number };
  peerDuplicate: { status: string; requests: number };
};

function counted(client: { middlewareStack: any }) {
  const count = { requests: 0, writeUnits: 0, readUnits: 0, commands: [] as string[] };
  client.middlewareStack.add(
    (next: any, ctx: any) => async (args: any) => {
      args.input.ReturnConsumedCapacity = 'INDEXES';
      count.commands.push(ctx.commandName.replace(/Command$/, ''));
      const result = await next(args);
      for (const c of [result.output.ConsumedCapacity ?? []].flat()) {
        if (/Transact|Put|Update|Delete/.test(ctx.commandName)) count.writeUnits += c.CapacityUnits ?? 0;
        else count.readUnits += c.CapacityUnits ?? 0;
      }
      return result;
    },
    { step: 'initialize', name: 'benchCount', priority: 'high' },
  );
  client.middlewareStack.add(
    (next: any) => async (args: any) => {
      count.requests++;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRequests' },
  );
  return count;
}

export async function measureRoundTrips(stack: BenchStack, bundles: BundleFigures): Promise<RoundTripFigures> {
  const config = loadConfig();
  const deps = createDynamoDeps(config);
  const count = counted(deps.db);
  // The webhook as its Lambda builds it: a cold container reads the school (registry) and the mapping first.
  const webhook = webhookHandler(config, deps, createLogger('bench', 'SILENT'), { pepper: localDevelopmentPepperSource });
  const measure = async (body: unknown): Promise<Trip> => {
    const before = { ...count, commands: [...count.commands] };
    const response = await webhook(apiEvent(body) as never, lambdaContext as never);
    return {
      status: JSON.parse(response.body as string).status,
      requests: count.requests - before.requests,
      writeUnits: count.writeUnits - before.writeUnits,
      readUnits: count.readUnits - before.readUnits,
      commands: count.commands.slice(before.commands.length),
    };
  };
  const newCold = await measure(purchase());
  const repeated = purchase();
  const newWarm = await measure(repeated);
  const duplicate = await measure(repeated);
  const unmappedCold = await measure(purchase({ productId: UNMAPPED_PRODUCT }));
  const unmappedWarm = await measure(purchase({ productId: UNMAPPED_PRODUCT }));
  await measure(renewal('BENCHWARM', 1)); // warms the subscription product's mapping
  const firstCharge = await measure(renewal('BENCHSUB', 1));
  const renewalCharge = await measure(renewal('BENCHSUB', 2));

  let peerRequests = 0;
  const proxy = http.createServer((request, response) => {
    peerRequests++;
    const upstream = http.request(`${stack.endpoint}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    request.pipe(upstream);
  });
  const proxyPort = await freePort();
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  try {
    // A second instance of the peer's module, whose clients are built while the endpoint is the proxy.
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${proxyPort}`;
    const peer = await import(`${bundles.of('peer', 'deployed').file}?counted`);
    process.env.DYNAMODB_ENDPOINT = stack.endpoint;
    const countPeer = async (body: unknown) => {
      const before = peerRequests;
      const response = await peer.handler(apiEvent(body), lambdaContext);
      return { status: JSON.parse(response.body).status as string, requests: peerRequests - before };
    };
    const peerBody = purchase();
    const peerNew = await countPeer(peerBody);
    const peerDuplicate = await countPeer(peerBody);
    return { newCold, newWarm, duplicate, unmappedCold, unmappedWarm, firstCharge, renewalCharge, peerNew, peerDuplicate };
  } finally {
    process.env.DYNAMODB_ENDPOINT = stack.endpoint;
    proxy.close();
  }
}
