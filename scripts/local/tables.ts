import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
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
  Properties: Omit<CreateTableCommandInput, 'TableName'> & {
    TableName: string;
    TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
    PointInTimeRecoverySpecification?: unknown;
  };
};

/** EventsTable → EVENTS_TABLE: the environment variable the functions read the table name from. */
const envVarOf = (logicalId: string) => logicalId.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

/** serverless.yml as data (CloudFormation tags kept as plain values, `${…}` variables unresolved). */
export function readServerlessYml(): Record<string, any> {
  return parse(readFileSync(SERVERLESS_YML, 'utf8'), { customTags: cfnTags });
}

/** The DynamoDB tables declared in serverless.yml — the single definition of every table. */
export function serverlessTables(): { logicalId: string; envVar: string; resource: TableResource }[] {
  const doc = readServerlessYml() as { resources: { Resources: Record<string, TableResource> } };
  return Object.entries(doc.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table')
    .map(([logicalId, resource]) => ({ logicalId, envVar: envVarOf(logicalId), resource }));
}

/**
 * Creates serverless.yml's tables on DynamoDB Local as `<prefix>-<name>` (the names a stage
 * `<stage>` deployment gets when prefix is `hotmart-enrollments-<stage>`), with their TTL.
 * Returns the environment that points the functions at them.
 */
export async function createTables(endpoint: string, prefix: string): Promise<Record<string, string>> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const env: Record<string, string> = {};
  try {
    for (const { logicalId, envVar, resource } of serverlessTables()) {
      const { TableName: _name, TimeToLiveSpecification, PointInTimeRecoverySpecification: _pitr, ...definition } = resource.Properties;
      const TableName = `${prefix}-${logicalId.replace(/Table$/, '').toLowerCase()}`;
      await client.send(new CreateTableCommand({ ...definition, TableName }));
      if (TimeToLiveSpecification?.Enabled) {
        await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification }));
      }
      env[envVar] = TableName;
    }
  } finally {
    client.destroy();
  }
  return env;
}
