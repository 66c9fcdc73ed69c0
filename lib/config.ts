import * as z from 'zod';
import { LOG_LEVELS } from './logger.ts';

const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const EnvSchema = z.object({
  EVENTS_TABLE: z.string().min(3),
  ENROLLMENTS_TABLE: z.string().min(3),
  MAPPINGS_TABLE: z.string().min(3),
  QUARANTINE_TABLE: z.string().min(3),
  RECONCILIATIONS_TABLE: z.string().min(3),
  SCHOOLS_TABLE: z.string().min(3),
  FEED_TABLE: z.string().min(3),
  AUDIT_TABLE: z.string().min(3),
  /** AWS: the Secrets Manager secret holding the pepper of the webhook tokens' HMAC (lib/adapters/secrets/pepper.ts). */
  HOTTOK_PEPPER_SECRET_ARN: optional,
  /** AWS: the KMS key (its alias) school credentials are sealed with (lib/adapters/secrets/credential-sealer.ts). */
  CREDENTIALS_KEY_ID: optional,
  /** AWS: the KMS key (its alias) the feed endpoints' signing secrets are sealed with (serverless.yml FeedSecretsKey). */
  FEED_SECRETS_KEY_ID: optional,
  /** The feed's redrive worker (functions/feed-redrive) that a re-enabling PUT and POST …/feed/replay invoke asynchronously. */
  FEED_REDRIVE_FUNCTION: optional,
  AWS_REGION: z.string().default('us-east-1'),
  /** Local only: DynamoDB Local's URL. Unset in AWS. */
  DYNAMODB_ENDPOINT: optional.pipe(z.url().optional()),
  /**
   * How long the webhook trusts its cached copy of a school (its incarnation and token hashes)
   * before it reads the registry again: a deleted school stops being accepted within this window.
   */
  SCHOOL_CACHE_TTL_MS: z.coerce.number().int().min(1).max(60_000).default(5000),
  /**
   * How long one DynamoDB request may take. AWS answers in milliseconds, so the default fails
   * fast and leaves room for retries within the Lambda timeout; DynamoDB Local on a small
   * machine queues concurrent transactions for longer, and the local stack allows it more.
   */
  DYNAMODB_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(20_000).default(1000),
  /**
   * How long event records (with the buyer's e-mail and name) are kept, counted from their
   * receipt: DynamoDB's TTL deletes them after (README, "What is stored"). Stage option
   * `--param="event-retention-days=…"`.
   */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(400),
  /** Set by serverless-offline (a local run). */
  IS_OFFLINE: optional,
  HOTMART_API_URL: optional.pipe(z.url().default('https://developers.hotmart.com')),
  HOTMART_TOKEN_URL: optional.pipe(z.url().default('https://api-sec-vlc.hotmart.com/security/oauth/token')),
  /** The hosts a school's credentials with `sandbox: true` are checked and used against. */
  HOTMART_SANDBOX_API_URL: optional.pipe(z.url().default('https://sandbox.hotmart.com')),
  HOTMART_SANDBOX_TOKEN_URL: optional.pipe(z.url().default('https://api-sec-vlc.hotmart.com/security/oauth/token')),
  /** The scheduled run covers this many hours back from now. */
  RECONCILE_WINDOW_HOURS: z.coerce.number().int().min(1).max(1488).default(72),
  /** How long a run may hold the lease: the runner's timeout plus a margin. */
  RECONCILE_LEASE_SECONDS: z.coerce.number().int().min(30).max(3600).default(960),
  /** The runner function that POST /reconciliations and the fan-out invoke asynchronously. */
  RECONCILE_FUNCTION: optional,
  /** The fan-out (functions/reconcile-fanout): it invokes itself with the next page of schools. */
  RECONCILE_FANOUT_FUNCTION: optional,
  /** How long a run the fan-out starts may wait for a free runner (the runner's maximumEventAge): its lease covers the wait too. */
  RECONCILE_QUEUE_SECONDS: z.coerce.number().int().min(0).max(21_600).default(3600),
  /** Schools the fan-out reads (and starts runs for) per step. */
  RECONCILE_FANOUT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** Local only: serverless-offline's Lambda endpoint. */
  LAMBDA_ENDPOINT: optional.pipe(z.url().optional()),
  /** The background worker that applies purchases which waited for a mapping (functions/apply-parked). */
  APPLY_PARKED_FUNCTION: optional,
  /** The background erasure of deleted schools (functions/erase-school), started by DELETE /schools/{schoolId}. */
  ERASE_SCHOOL_FUNCTION: optional,
  /** How long a mapping PUT applies waiting purchases before it answers (at most; less if the Lambda has less time left). */
  APPLY_INLINE_BUDGET_MS: z.coerce.number().int().min(0).max(4000).default(2000),
  /** The feed's delivery queue: the SQS FIFO queue's URL in AWS; locally the local runtime's http://127.0.0.1 port (scripts/local/feed-runtime.ts). */
  FEED_DELIVERY_QUEUE_URL: optional.pipe(z.url().optional()),
  /** The stage's EventBridge bus every feed event is put on (serverless.yml FeedBus). */
  FEED_BUS_NAME: optional,
  /** AWS: the secret page cursors' key is derived from (the stack's id, set by serverless.yml). */
  CURSOR_SECRET: optional,
  /** Set in every Lambda, real or serverless-offline's. */
  AWS_LAMBDA_FUNCTION_NAME: optional,
  /** DEBUG, INFO (the default, also for an unknown value), WARN, ERROR or SILENT; any case. */
  LOG_LEVEL: optional.transform((value) => value?.toUpperCase()).pipe(z.enum(LOG_LEVELS).catch('INFO')),
  // CloudWatch metrics' namespace, one per stage (serverless.yml); lib/observability/metrics.ts.
  METRICS_NAMESPACE: optional,
});
type Env = z.output<typeof EnvSchema>;

/** Locally (tests, serverless-offline) cursors need no secrecy, only a stable key. */
const LOCAL_CURSOR_SECRET = 'local-page-cursors';

/** In AWS only the functions that serve paginated lists have one (serverless.yml). */
function cursorSecretOf(e: Env): string | undefined {
  if (e.IS_OFFLINE) return LOCAL_CURSOR_SECRET;
  return e.CURSOR_SECRET ?? (e.AWS_LAMBDA_FUNCTION_NAME ? undefined : LOCAL_CURSOR_SECRET);
}

const INSECURE_URL = 'must be https (plain http only to 127.0.0.1 or localhost in a local run)';

/** The environment, parsed, as the configuration the code reads: its type is this schema's output. */
const ConfigSchema = EnvSchema.transform((e, ctx) => {
  // The runner sends Hotmart's client secret to these hosts: https only, but for the fake API on
  // this machine in a local run (serverless-offline sets IS_OFFLINE; scripts and tests set
  // DYNAMODB_ENDPOINT; neither is set in AWS).
  const local = Boolean(e.IS_OFFLINE || e.DYNAMODB_ENDPOINT);
  for (const name of ['HOTMART_API_URL', 'HOTMART_TOKEN_URL', 'HOTMART_SANDBOX_API_URL', 'HOTMART_SANDBOX_TOKEN_URL'] as const) {
    if (!secureHotmartUrl(e[name], local)) ctx.addIssue({ code: 'custom', path: [name], message: INSECURE_URL });
  }
  return {
    tables: {
      events: e.EVENTS_TABLE,
      enrollments: e.ENROLLMENTS_TABLE,
      mappings: e.MAPPINGS_TABLE,
      quarantine: e.QUARANTINE_TABLE,
      reconciliations: e.RECONCILIATIONS_TABLE,
      schools: e.SCHOOLS_TABLE,
      feed: e.FEED_TABLE,
      audit: e.AUDIT_TABLE,
    },
    /**
     * Where the pepper and the credentials key are (AWS; serverless-offline's values are ignored).
     * Outside AWS Lambda (tests, scripts, serverless-offline) their clearly named local stand-ins apply.
     */
    secrets: {
      ...(e.HOTTOK_PEPPER_SECRET_ARN && !e.IS_OFFLINE ? { pepperSecretArn: e.HOTTOK_PEPPER_SECRET_ARN } : {}),
      ...(e.CREDENTIALS_KEY_ID && !e.IS_OFFLINE ? { credentialsKeyId: e.CREDENTIALS_KEY_ID } : {}),
      localStandIns: local || !e.AWS_LAMBDA_FUNCTION_NAME,
    },
    /** Hotmart's sandbox hosts, for credentials created as sandbox ones (the production hosts: `reconciliation`). */
    hotmartSandbox: { apiUrl: e.HOTMART_SANDBOX_API_URL, tokenUrl: e.HOTMART_SANDBOX_TOKEN_URL },
    region: e.AWS_REGION,
    /** Page cursors are encrypted with a key derived from it: stable per deployment, never in a URL or a log. */
    cursorSecret: cursorSecretOf(e),
    dynamodbRequestTimeoutMs: e.DYNAMODB_REQUEST_TIMEOUT_MS,
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    metricsNamespace: e.METRICS_NAMESPACE ?? 'hotmart-enrollments/local',
    ...(e.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: e.DYNAMODB_ENDPOINT } : {}),
    schoolCacheTtlMs: e.SCHOOL_CACHE_TTL_MS,
    reconciliation: {
      // Each school's own credentials are in its registry item (lib/adapters/hotmart/hotmart-source.ts).
      apiUrl: e.HOTMART_API_URL,
      tokenUrl: e.HOTMART_TOKEN_URL,
      windowHours: e.RECONCILE_WINDOW_HOURS,
      leaseMs: e.RECONCILE_LEASE_SECONDS * 1000,
      ...(e.RECONCILE_FUNCTION ? { runnerFunction: e.RECONCILE_FUNCTION } : {}),
      ...(e.RECONCILE_FANOUT_FUNCTION ? { fanOutFunction: e.RECONCILE_FANOUT_FUNCTION } : {}),
      fanOutPageSize: e.RECONCILE_FANOUT_PAGE_SIZE,
      queueMs: e.RECONCILE_QUEUE_SECONDS * 1000,
      ...(e.LAMBDA_ENDPOINT ? { lambdaEndpoint: e.LAMBDA_ENDPOINT } : {}),
    },
    erasure: {
      ...(e.ERASE_SCHOOL_FUNCTION ? { eraseFunction: e.ERASE_SCHOOL_FUNCTION } : {}),
      ...(e.LAMBDA_ENDPOINT ? { lambdaEndpoint: e.LAMBDA_ENDPOINT } : {}),
    },
    feed: {
      ...(e.FEED_DELIVERY_QUEUE_URL ? { deliveryQueueUrl: e.FEED_DELIVERY_QUEUE_URL } : {}),
      ...(e.FEED_BUS_NAME ? { busName: e.FEED_BUS_NAME } : {}),
      ...(e.FEED_REDRIVE_FUNCTION ? { redriveFunction: e.FEED_REDRIVE_FUNCTION } : {}),
      ...(e.FEED_SECRETS_KEY_ID && !e.IS_OFFLINE ? { secretsKeyId: e.FEED_SECRETS_KEY_ID } : {}),
      ...(e.LAMBDA_ENDPOINT ? { lambdaEndpoint: e.LAMBDA_ENDPOINT } : {}),
      /** http to the loopback host allowed for the endpoint (a local run). */
      local,
    },
    parked: {
      inlineBudgetMs: e.APPLY_INLINE_BUDGET_MS,
      ...(e.APPLY_PARKED_FUNCTION ? { applyFunction: e.APPLY_PARKED_FUNCTION } : {}),
      ...(e.LAMBDA_ENDPOINT ? { lambdaEndpoint: e.LAMBDA_ENDPOINT } : {}),
    },
  };
});

export type Config = z.output<typeof ConfigSchema>;

/** Read once per container: a missing variable fails the cold start, not a request. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const insecure = parsed.error.issues.filter((issue) => issue.message === INSECURE_URL).map((issue) => issue.path.join('.'));
  if (insecure.length) throw new Error(`invalid configuration: ${insecure.join(', ')} ${INSECURE_URL}`);
  throw new Error(`invalid configuration: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
}

function secureHotmartUrl(value: string, local: boolean): boolean {
  const url = new URL(value);
  return url.protocol === 'https:' || (local && url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}
