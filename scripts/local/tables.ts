import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, StreamViewType } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';

const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url);

/** CloudFormation short-form tags, kept as plain values: only the table definitions are read. */
const cfnTags = ['Ref', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'FindInMap', 'ImportValue'].flatMap((name) =>
  (['scalar', 'seq'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'seq' ? { collection } : {}),
    resolve: (value: unknown) => ({ [`Fn::${name}`]: value }),
  })),
);

type TableResource = {
  Type: string;
  Properties: Omit<CreateTableCommandInput, 'TableName' | 'StreamSpecification'> & {
    TableName: string;
    /** CloudFormation's form: a view type alone means the stream is on. */
    StreamSpecification?: { StreamViewType: StreamViewType };
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
    PointInTimeRecoverySpecification?: unknown;
  };
};

/** EventsTable → EVENTS_TABLE: the environment variable the functions read the table name from. */
const envVarOf = (logicalId: string) => logicalId.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
/** EventsTable → events: the table's name in lib/config.ts's `tables`, and the end of its local name. */
const nameOf = (logicalId: string) => logicalId.replace(/Table$/, '').replace(/^./, (first) => first.toLowerCase());

export type ServerlessTable = { logicalId: string; envVar: string; name: string; resource: TableResource };

/** serverless.yml as data (CloudFormation tags kept as plain values, `${…}` variables unresolved). */
export function readServerlessYml(): Record<string, any> {
  return parse(readFileSync(SERVERLESS_YML, 'utf8'), { customTags: cfnTags });
}

/**
 * The DynamoDB tables declared in serverless.yml — the single definition of every table. Every
 * list of tables outside lib/ (test helpers, scripts/load.ts, bench, the erasure guard) is this one.
 */
export function serverlessTables(): ServerlessTable[] {
  const doc = readServerlessYml() as { resources: { Resources: Record<string, TableResource> } };
  return Object.entries(doc.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => ({ logicalId, envVar: envVarOf(logicalId), name: nameOf(logicalId), resource }));
}

/** `<service>-<stage>`: the prefix of a stage's table names (serverless.yml's `service`; `npm start` runs stage `local`). */
export const stagePrefix = (stage: string): string => `${readServerlessYml().service}-${stage}`;

/** The environment variable of each table, as the functions read it. */
export const tableEnvVars = (): string[] => serverlessTables().map((table) => table.envVar);

/**
 * The tables of a local stack `<prefix>-<name>` (e.g. prefix `hotmart-enrollments-local`, as
 * `npm start` creates them), by environment variable: `{ EVENTS_TABLE: 'hotmart-enrollments-local-events', … }`.
 */
export function localTableNames(prefix: string): Record<string, string> {
  return Object.fromEntries(serverlessTables().map(({ envVar, name }) => [envVar, `${prefix}-${name.toLowerCase()}`]));
}

/** A table of serverless.yml as CreateTable's input: CloudFormation-only properties left out, its stream on (DynamoDB Local has streams). */
export function createTableInput(resource: TableResource, TableName: string): CreateTableCommandInput {
  const { TableName: _name, TimeToLiveSpecification: _ttl, PointInTimeRecoverySpecification: _pitr, StreamSpecification, ...definition } = resource.Properties;
  return { ...definition, TableName, ...(StreamSpecification ? { StreamSpecification: { StreamEnabled: true, StreamViewType: StreamSpecification.StreamViewType } } : {}) };
}

/**
 * Creates serverless.yml's tables on DynamoDB Local as `<prefix>-<name>` (the names a stage
 * `<stage>` deployment gets when prefix is `hotmart-enrollments-<stage>`), with their TTL and streams.
 * Returns the environment that points the functions at them.
 */
export async function createTables(endpoint: string, prefix: string): Promise<Record<string, string>> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const env = localTableNames(prefix);
  try {
    for (const { envVar, resource } of serverlessTables()) {
      const TableName = env[envVar]!;
      const { TimeToLiveSpecification } = resource.Properties;
      await client.send(new CreateTableCommand(createTableInput(resource, TableName)));
      if (TimeToLiveSpecification?.Enabled) {
        await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification }));
      }
    }
  } finally {
    client.destroy();
  }
  return env;
}
