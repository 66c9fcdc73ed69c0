/**
 * Local stand-in for what API Gateway answers when the Lambda behind a route fails.
 *
 * serverless-offline 14 answers an HTTP API (payload 2.0) route whose invocation failed or timed
 * out with HTTP 200 and the error as the body (`{"errorType":"LambdaTimeoutError",…}`): Hotmart
 * would take that as delivered. API Gateway answers 5xx, and so does this plugin:
 *   - the function threw, or failed to load: 500 {"message":"Internal Server Error"};
 *   - the function did not answer within its timeout: 503 {"message":"Service Unavailable"}.
 * Only invocations of HTTP API routes are mapped; the Lambda invoke endpoint keeps serverless-
 * offline's own answers. It patches serverless-offline's LambdaFunction (the only place every
 * route's invocation passes through), so serverless-offline is pinned in package.json, and
 * test/integration/local-stack.test.ts proves the mapping against `npm start`.
 *
 * Listed in serverless.yml; it does nothing outside `serverless offline`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What API Gateway (HTTP API) answers for an invocation that failed with `error`. */
export function gatewayErrorResponse(error) {
  const timedOut = error?.constructor?.name === 'LambdaTimeoutError' || error?.name === 'LambdaTimeoutError';
  const [statusCode, message] = timedOut ? [503, 'Service Unavailable'] : [500, 'Internal Server Error'];
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }), isBase64Encoded: false };
}

/** An API Gateway HTTP API (payload 2.0) event, as serverless-offline builds it for a route. */
const isHttpApiEvent = (event) => event?.version === '2.0' && typeof event?.requestContext?.http?.method === 'string';

let patched = false;

async function patchServerlessOffline(log) {
  if (patched) return;
  patched = true;
  const src = dirname(createRequire(import.meta.url).resolve('serverless-offline'));
  const { default: LambdaFunction } = await import(pathToFileURL(join(src, 'lambda', 'LambdaFunction.js')).href);
  const events = new WeakMap();
  const { setEvent, runHandler } = LambdaFunction.prototype;
  LambdaFunction.prototype.setEvent = function (event) {
    events.set(this, event);
    return setEvent.call(this, event);
  };
  LambdaFunction.prototype.runHandler = async function () {
    const event = events.get(this);
    try {
      return await runHandler.call(this);
    } catch (error) {
      if (!isHttpApiEvent(event)) throw error;
      const answer = gatewayErrorResponse(error);
      log.error(`${event.requestContext.http.method} ${event.rawPath} (λ: ${this.functionName}) failed: ${error?.message ?? error} → ${answer.statusCode}`);
      return answer;
    }
  };
}

export default class OfflineApiGateway {
  constructor(_serverless, _options, utils) {
    const log = utils?.log ?? console;
    const patch = () => patchServerlessOffline(log);
    this.hooks = { 'before:offline:start': patch, 'before:offline:start:init': patch };
  }
}
