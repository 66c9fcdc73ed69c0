import * as z from 'zod';

const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const ConfigSchema = z.object({
  EVENTS_TABLE: z.string().min(3),
  ENROLLMENTS_TABLE: z.string().min(3),
  MAPPINGS_TABLE: z.string().min(3),
  QUARANTINE_TABLE: z.string().min(3),
  AWS_REGION: z.string().default('us-east-1'),
  /** Local only: DynamoDB Local's URL. Unset in AWS. */
  DYNAMODB_ENDPOINT: optional.pipe(z.url().optional()),
  /** AWS: SSM path whose SecureString parameters `current` and `previous` hold the webhook token. */
  HOTTOK_SSM_PATH: optional,
  /** Local only: the webhook token, and the previous one during a rotation. */
  HOTMART_HOTTOK: optional,
  HOTMART_HOTTOK_PREVIOUS: optional,
  /**
   * How long one DynamoDB request may take. AWS answers in milliseconds, so the default fails
   * fast and leaves room for retries within the Lambda timeout; DynamoDB Local on a small
   * machine queues concurrent transactions for longer, and the local stack allows it more.
   */
  DYNAMODB_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(5000).default(1000),
  /** Set by serverless-offline: the local stack reads the token from the environment, not SSM. */
  IS_OFFLINE: optional,
});

export type Config = {
  tables: { events: string; enrollments: string; mappings: string; quarantine: string };
  region: string;
  dynamodbEndpoint?: string;
  dynamodbRequestTimeoutMs: number;
  hottokSsmPath?: string;
  localHottoks: string[];
};

/** Read once per container: a missing variable fails the cold start, not a request. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`invalid configuration: ${fields}`);
  }
  const e = parsed.data;
  return {
    tables: {
      events: e.EVENTS_TABLE,
      enrollments: e.ENROLLMENTS_TABLE,
      mappings: e.MAPPINGS_TABLE,
      quarantine: e.QUARANTINE_TABLE,
    },
    region: e.AWS_REGION,
    dynamodbRequestTimeoutMs: e.DYNAMODB_REQUEST_TIMEOUT_MS,
    ...(e.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: e.DYNAMODB_ENDPOINT } : {}),
    ...(e.HOTTOK_SSM_PATH && !e.IS_OFFLINE ? { hottokSsmPath: e.HOTTOK_SSM_PATH.replace(/\/+$/, '') } : {}),
    localHottoks: [e.HOTMART_HOTTOK, e.HOTMART_HOTTOK_PREVIOUS].filter((t): t is string => t !== undefined),
  };
}
