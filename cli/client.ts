import { ApiError, UsageError } from './errors.ts';
import type { Credentials } from './sigv4.ts';
import { signRequest } from './sigv4.ts';

export type Target = { url?: string | undefined; stage?: string | undefined; region?: string | undefined };
export type Answer = { status: number; body: any; headers: Headers };
export type RequestOptions = { query?: Record<string, string | undefined>; body?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string> };

export type Api = {
  base: string;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
};

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The stack `hotmart-enrollments-<stage>`'s HTTP API URL (osls's output `HttpApiUrl`). */
async function stackUrl(stage: string, region: string): Promise<string> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const name = `hotmart-enrollments-${stage}`;
  const { Stacks } = await new CloudFormationClient({ region }).send(new DescribeStacksCommand({ StackName: name }));
  const url = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'HttpApiUrl')?.OutputValue;
  if (!url) throw new Error(`stack ${name} (${region}) has no HttpApiUrl output: is it deployed?`);
  return url;
}

async function defaultCredentials(): Promise<Credentials> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider()();
}

/**
 * The API the command talks to: `--url` as given (signed unless it is this machine, where
 * `npm start` serves it open), or `--stage`'s stack URL, always signed with SigV4 from the
 * standard credential chain (environment, profiles, SSO, instance roles).
 */
export async function connect(target: Target, env: NodeJS.ProcessEnv, credentials: () => Promise<Credentials> = defaultCredentials): Promise<Api> {
  if ((target.url === undefined) === (target.stage === undefined)) throw new UsageError('give exactly one of --url <url> and --stage <stage>');
  const region = target.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const base = (target.url ?? (await stackUrl(target.stage!, region))).replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new UsageError(`--url ${base} is not a URL`);
  }
  const signed = target.stage !== undefined || !isLoopback(parsed);
  let keys: Promise<Credentials> | undefined;
  return {
    base,
    async request(method, path, options = {}) {
      const url = new URL(base + path);
      for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
      const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
      let headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }), ...options.headers };
      if (signed) headers = await signRequest({ method, url, headers, body }, { credentials: await (keys ??= credentials()), region, service: 'execute-api' });
      delete headers.host;
      const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      let parsedBody: unknown = text === '' ? null : text;
      try {
        parsedBody = text === '' ? null : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      if (response.status >= 400) throw new ApiError(response.status, parsedBody);
      return { status: response.status, body: parsedBody, headers: response.headers };
    },
  };
}

/** Every item of a paginated list, following `nextCursor`; `progress` hears the count so far. */
export async function readAllPages(api: Api, path: string, query: Record<string, string | undefined>, progress?: (count: number) => void): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const { body } = await api.request('GET', path, { query: { ...query, limit: '100', cursor } });
    items.push(...body.items);
    cursor = body.nextCursor ?? undefined;
    if (cursor) progress?.(items.length);
  } while (cursor);
  return items;
}

/** A path segment, escaped (an e-mail's @, a school id as typed). */
export const seg = (value: string) => encodeURIComponent(value);

/**
 * A route as serverless.yml and docs/openapi.json name it: `GET /schools/{schoolId}/events/{eventId}`.
 * Each command file lists the routes it calls in its exported `ROUTES` and calls them through
 * `call`/`pathOf`, so that test/unit/cli-openapi.test.ts can hold the CLI and the document together.
 */
export type Route = `${'GET' | 'PUT' | 'POST' | 'DELETE'} /${string}`;

/** The route's path, each `{name}` filled with its parameter, escaped. */
export function pathOf(route: Route, params: Record<string, string> = {}): string {
  return route.slice(route.indexOf(' ') + 1).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${route}: no value for {${name}}`);
    return seg(value);
  });
}

/** Calls one route: `call(api, ROUTES.show, { schoolId })`. */
export const call = (api: Api, route: Route, params: Record<string, string> = {}, options?: RequestOptions): Promise<Answer> =>
  api.request(route.slice(0, route.indexOf(' ')), pathOf(route, params), options);
