import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { httpHandler } from '#lib/http/handler.ts';
import type { Logger, LogFields } from '#lib/logger.ts';

function recordingLogger() {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
  return { logger, lines };
}

const event = (routeKey: string, rawPath: string) =>
  ({ routeKey, rawPath, headers: {}, requestContext: { http: { method: routeKey.split(' ')[0], path: rawPath } } }) as unknown as APIGatewayProxyEventV2;
const context = (remainingMs: number) => {
  const deadline = Date.now() + remainingMs;
  return { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
};

describe('the HTTP chain', () => {
  it('answers 503 before the Lambda timeout and logs it as an error naming the route, not the path', async () => {
    const { logger, lines } = recordingLogger();
    // A handler that only ends when the chain gives up on it.
    const handler = httpHandler(logger, [], (_event, _context) => new Promise(() => undefined));
    const response = await handler(event('DELETE /students/{email}', '/students/ana%40example.com'), context(600));
    assert.equal(response.statusCode, 503);
    assert.equal(JSON.parse(response.body!).error.code, 'STORAGE.UNAVAILABLE');
    const errors = lines.filter((line) => line.level === 'ERROR');
    assert.equal(errors.length, 1, JSON.stringify(lines));
    assert.equal(errors[0]!.fields?.route, 'DELETE /students/{email}');
    assert.ok(!JSON.stringify(lines).includes('ana'), 'no path parameter (here an e-mail) in the log');
  });

  it('logs nothing for an answer given in time', async () => {
    const { logger, lines } = recordingLogger();
    const handler = httpHandler(logger, [], async () => ({ statusCode: 204 }));
    assert.equal((await handler(event('GET /x', '/x'), context(6000))).statusCode, 204);
    assert.deepEqual(lines, []);
  });
});
