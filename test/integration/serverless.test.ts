import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateTemplate } from '../helpers/cfn-schema.ts';
import { newApproval, paste, post, printedCurls, startLocalStack, tally } from '../helpers/local-stack.ts';

const root = new URL('../..', import.meta.url).pathname;
const serverless = createRequire(import.meta.url).resolve('serverless/bin/serverless.js');

/** `npx serverless package`, offline and without AWS credentials, as an operator would run it. */
function packageService(stage: string, shell: Record<string, string> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'sls-'));
  const env = { ...process.env, ...shell, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'none', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null' };
  const run = spawnSync(process.execPath, [serverless, 'package', '--stage', stage, '--package', out], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, `serverless package failed:\n${run.stdout}\n${run.stderr}`);
  return { out, template: JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) };
}

type Resource = { Type: string; Properties: any; DeletionPolicy?: string };

describe('serverless.yml, as CloudFormation', () => {
  // Packaged from a shell set up for the fake Hotmart API, as the README's local runs leave it.
  const { out, template } = packageService('prod', { HOTMART_API_URL: 'http://evil.example', HOTMART_TOKEN_URL: 'http://evil.example/token' });
  const resources: Record<string, Resource> = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('packages one zip per function', () => {
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.zip')).sort(), ['applyParked.zip', 'audit.zip', 'credentials.zip', 'enrollments.zip', 'eraseSchool.zip', 'feed.zip', 'feedCapture.zip', 'feedEnqueue.zip', 'feedExpiry.zip', 'feedRedrive.zip', 'feedSender.zip', 'manualEnrollments.zip', 'mappings.zip', 'reconcile.zip', 'reconcileFanout.zip', 'reconciliations.zip', 'recovery.zip', 'schools.zip', 'webhook.zip']);
  });

  it('is valid against the current CloudFormation resource schemas', () => {
    assert.deepEqual(validateTemplate(template), []);
  });

  it('would notice a misspelt property, a wrong type or a dangling reference', () => {
    const broken = structuredClone(template);
    broken.Resources.EventsTable.Properties.BilingMode = 'PAY_PER_REQUEST';
    broken.Resources.EventsTable.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled = 'maybe';
    broken.Resources.WebhookLambdaFunction.Properties.Timeout = 'six';
    broken.Resources.WebhookRole.Properties.Policies[0].PolicyDocument.Statement[2].Resource = { 'Fn::GetAtt': ['EventsTable', 'Nope'] };
    broken.Resources.Bogus = { Type: 'AWS::DynamoDB::Tabel', Properties: {} };
    const errors = validateTemplate(broken).join('\n');
    for (const expected of ['BilingMode: unknown property', 'PointInTimeRecoveryEnabled: expected a boolean', 'Timeout: expected a number', 'GetAtt EventsTable.Nope', 'unknown resource type AWS::DynamoDB::Tabel']) {
      assert.ok(errors.includes(expected), `missed: ${expected}\n${errors}`);
    }
  });

  it('puts every route under a school, and the aws_iam authorizer on every route but the webhook', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    assert.equal(routes.length, 38);
    for (const route of routes) {
      const path = route.RouteKey.split(' ')[1];
      assert.ok(path === '/schools' || path.startsWith('/schools/{schoolId}'), route.RouteKey);
      if (route.RouteKey.endsWith(' /schools/{schoolId}/webhooks/hotmart')) assert.equal(route.AuthorizationType ?? 'NONE', 'NONE', route.RouteKey);
      else assert.equal(route.AuthorizationType, 'AWS_IAM', route.RouteKey);
    }
  });

  it('gives each function its own role granting exactly the table actions it uses', () => {
    const actionsByRole: Record<string, Record<string, string[]>> = {};
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const grants: Record<string, string[]> = {};
      for (const statement of role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)) {
        assert.equal(statement.Effect, 'Allow');
        for (const resource of [statement.Resource].flat()) {
          assert.notEqual(resource, '*', `${id} grants on every resource`);
          const name = typeof resource === 'string' ? resource : JSON.stringify(resource);
          const table = /["{](\w+)Table/.exec(name)?.[1];
          const service = /:(logs|ssm|lambda|kms):/.exec(name)?.[1];
          const queue = /"(\w+Queue)"/.exec(name)?.[1];
          const secret = /"(\w+Secret)"/.exec(name)?.[1];
          const label = table ? `${table}${name.includes('/index/') ? '/index' : ''}` : (service ?? queue ?? secret ?? name);
          grants[label] = [...(grants[label] ?? []), ...[statement.Action].flat()].sort();
        }
        for (const action of [statement.Action].flat()) assert.ok(!action.includes('*'), `${id} grants ${action}`);
      }
      actionsByRole[id] = grants;
    }
    const functions = Object.fromEntries(ofType('AWS::Lambda::Function').map(([id, f]) => [id, f.Properties.Role['Fn::GetAtt'][0]]));
    assert.deepEqual(functions, {
      WebhookLambdaFunction: 'WebhookRole',
      MappingsLambdaFunction: 'MappingsRole',
      ApplyParkedLambdaFunction: 'ApplyParkedRole',
      EnrollmentsLambdaFunction: 'EnrollmentsRole',
      RecoveryLambdaFunction: 'RecoveryRole',
      ReconciliationsLambdaFunction: 'ReconciliationsRole',
      ReconcileLambdaFunction: 'ReconcileRole',
      ReconcileFanoutLambdaFunction: 'ReconcileFanoutRole',
      SchoolsLambdaFunction: 'SchoolsRole',
      CredentialsLambdaFunction: 'CredentialsRole',
      ManualEnrollmentsLambdaFunction: 'ManualEnrollmentsRole',
      EraseSchoolLambdaFunction: 'EraseSchoolRole',
      FeedLambdaFunction: 'FeedRole',
      AuditLambdaFunction: 'AuditRole',
      FeedCaptureLambdaFunction: 'FeedCaptureRole',
      FeedExpiryLambdaFunction: 'FeedExpiryRole',
      FeedEnqueueLambdaFunction: 'FeedEnqueueRole',
      FeedSenderLambdaFunction: 'FeedSenderRole',
      FeedRedriveLambdaFunction: 'FeedRedriveRole',
    });
    const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    assert.deepEqual(actionsByRole, {
      WebhookRole: {
        logs,
        PepperSecret: ['secretsmanager:GetSecretValue'],
        Schools: ['dynamodb:GetItem'],
        Events: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Enrollments: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Mappings: ['dynamodb:ConditionCheckItem', 'dynamodb:Query'],
        Quarantine: ['dynamodb:PutItem'],
      },
      MappingsRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        Schools: ['dynamodb:GetItem'],
        lambda: ['lambda:InvokeFunction'],
        Mappings: ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Events: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Enrollments: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
      ApplyParkedRole: {
        logs,
        lambda: ['lambda:InvokeFunction'],
        ApplyParkedFailuresQueue: ['sqs:SendMessage'],
        Events: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Enrollments: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Mappings: ['dynamodb:ConditionCheckItem', 'dynamodb:Query'],
      },
      RecoveryRole: {
        logs,
        Audit: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        'Audit/index': ['dynamodb:Query'],
        Schools: ['dynamodb:GetItem'],
        Quarantine: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        // A student's erasure reads the byStudent indexes: no Scan any more.
        'Events/index': ['dynamodb:Query'],
        'Quarantine/index': ['dynamodb:Query'],
        'Feed/index': ['dynamodb:Query'],
        Feed: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Events: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Enrollments: ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Mappings: ['dynamodb:ConditionCheckItem', 'dynamodb:Query'],
      },
      EnrollmentsRole: {
        logs,
        Schools: ['dynamodb:GetItem'],
        Enrollments: ['dynamodb:GetItem', 'dynamodb:Query'],
        'Enrollments/index': ['dynamodb:Query'],
        Events: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        'Events/index': ['dynamodb:Query', 'dynamodb:Query'], // byStudent and byTransaction
      },
      ReconciliationsRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        Schools: ['dynamodb:GetItem'],
        lambda: ['lambda:InvokeFunction'],
        Reconciliations: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      },
      CredentialsRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        Schools: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        kms: ['kms:Encrypt'],
      },
      ReconcileRole: {
        logs,
        Schools: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        ReconcileFailuresQueue: ['sqs:SendMessage'],
        kms: ['kms:Decrypt'],
        Reconciliations: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        // A finished run's metrics read the school's latest delivery and waiting purchases (its status reads).
        Events: ['dynamodb:PutItem', 'dynamodb:Query'],
        'Events/index': ['dynamodb:Query', 'dynamodb:Query'], // arrivals and waiting
        'Quarantine/index': ['dynamodb:Query'],
        Enrollments: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Mappings: ['dynamodb:ConditionCheckItem', 'dynamodb:Query'],
      },
      ManualEnrollmentsRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        Schools: ['dynamodb:GetItem'],
        Enrollments: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
      },
      ReconcileFanoutRole: {
        logs,
        Schools: ['dynamodb:Scan'],
        Reconciliations: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        lambda: ['lambda:InvokeFunction', 'lambda:InvokeFunction'], // the runner, and itself
        ReconcileFailuresQueue: ['sqs:SendMessage'],
      },
      SchoolsRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        PepperSecret: ['secretsmanager:GetSecretValue'],
        Schools: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        Events: ['dynamodb:Query'],
        'Events/index': ['dynamodb:Query', 'dynamodb:Query'], // arrivals and waiting
        'Quarantine/index': ['dynamodb:Query'],
        Mappings: ['dynamodb:Query'],
        Reconciliations: ['dynamodb:Query'],
        lambda: ['lambda:InvokeFunction'],
      },
      EraseSchoolRole: {
        logs,
        lambda: ['lambda:InvokeFunction'],
        EraseSchoolFailuresQueue: ['sqs:SendMessage'],
        // Finds a school's items through each table's bySchool index; the registry's tombstones it scans.
        'Events/index': ['dynamodb:Query'],
        'Enrollments/index': ['dynamodb:Query'],
        'Mappings/index': ['dynamodb:Query'],
        'Quarantine/index': ['dynamodb:Query'],
        'Reconciliations/index': ['dynamodb:Query'],
        'Feed/index': ['dynamodb:Query'],
        Events: ['dynamodb:BatchWriteItem'],
        Enrollments: ['dynamodb:BatchWriteItem'],
        Mappings: ['dynamodb:BatchWriteItem'],
        Quarantine: ['dynamodb:BatchWriteItem'],
        Reconciliations: ['dynamodb:BatchWriteItem'],
        Feed: ['dynamodb:BatchWriteItem'],
        Schools: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Scan'],
      },
      FeedRole: {
        logs,
        Audit: ['dynamodb:PutItem'],
        Schools: ['dynamodb:GetItem'],
        Feed: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        'Feed/index': ['dynamodb:Query', 'dynamodb:Query'], // feedPending and feedDead
        kms: ['kms:Decrypt', 'kms:Encrypt'],
        lambda: ['lambda:InvokeFunction'],
      },
      // Reads the audit trail only: not even the registry (a deleted school's trail stays readable).
      AuditRole: {
        logs,
        Audit: ['dynamodb:Query'],
      },
      FeedCaptureRole: {
        logs,
        // The stream only (no read of the table itself: the record carries the item).
        Enrollments: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Feed: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        FeedCaptureFailuresQueue: ['sqs:SendMessage'],
      },
      FeedExpiryRole: {
        logs,
        'Feed/index': ['dynamodb:Query'],
        Enrollments: ['dynamodb:GetItem'],
        Feed: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        FeedExpiryFailuresQueue: ['sqs:SendMessage'],
      },
      FeedEnqueueRole: {
        logs,
        // Its stream, the endpoint (GetItem) and events not to be pushed (UpdateItem).
        Feed: ['dynamodb:DescribeStream', 'dynamodb:GetItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams', 'dynamodb:UpdateItem'],
        FeedDeliveriesQueue: ['sqs:SendMessage'],
        FeedEnqueueFailuresQueue: ['sqs:SendMessage'],
        '{"Fn::GetAtt":["FeedBus","Arn"]}': ['events:PutEvents'],
      },
      FeedSenderRole: {
        logs,
        Feed: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        FeedDeliveriesQueue: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        kms: ['kms:Decrypt'],
      },
      FeedRedriveRole: {
        logs,
        Feed: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        'Feed/index': ['dynamodb:Query'],
        FeedDeliveriesQueue: ['sqs:SendMessage'],
        FeedRedriveFailuresQueue: ['sqs:SendMessage'],
        lambda: ['lambda:InvokeFunction'],
      },
    });
  });

  it('keeps the schools’ tokens in the registry (no SSM token path), and never puts a token in the environment', () => {
    assert.ok(!/GetParametersByPath|parameter\/[^"]*hottok|HOTTOK_SSM_PATH/.test(JSON.stringify(template)), 'no SSM token path, parameter or permission');
    assert.ok(!JSON.stringify(resources.WebhookRole).includes('ssm:'), 'the webhook reads no SSM parameter');
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const variables = JSON.stringify(fn.Properties.Environment.Variables);
      // The pepper secret's ARN is no token; a token itself never is in the environment.
      assert.ok(!/HOTTOK(?!_PEPPER_SECRET_ARN)|dev-hottok/.test(variables), variables);
      assert.deepEqual(fn.Properties.Environment.Variables.SCHOOLS_TABLE, 'hotmart-enrollments-prod-schools');
    }
    const schools = resources.SchoolsTable!.Properties;
    assert.deepEqual(schools.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
    assert.equal(schools.TableName, 'hotmart-enrollments-prod-schools');
    // Only the schools function writes the registry (the credentials function its school's sealed
    // credentials, the runner their lastError, the erasure a tombstone's removal); the fan-out pages
    // through it; the others read one school at a time.
    const writers = ofType('AWS::IAM::Role').filter(([, role]) =>
      role.Properties.Policies[0].PolicyDocument.Statement.some(
        (s: any) => JSON.stringify(s.Resource).includes('SchoolsTable') && [s.Action].flat().some((a: string) => a !== 'dynamodb:GetItem' && a !== 'dynamodb:Scan'),
      ),
    );
    assert.deepEqual(writers.map(([id]) => id).sort(), ['CredentialsRole', 'EraseSchoolRole', 'ReconcileRole', 'SchoolsRole']);
  });

  it('gives the functions that serve paginated lists, and only them, a cursor secret derived from the stack’s id', () => {
    const withSecret = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment.Variables.CURSOR_SECRET !== undefined)
      .map(([id, fn]) => {
        assert.deepEqual(fn.Properties.Environment.Variables.CURSOR_SECRET, { 'Fn::Join': ['', [{ Ref: 'AWS::StackId' }]] }, id);
        return id;
      });
    assert.deepEqual(withSecret.sort(), ['AuditLambdaFunction', 'EnrollmentsLambdaFunction', 'FeedLambdaFunction', 'MappingsLambdaFunction', 'ReconciliationsLambdaFunction', 'RecoveryLambdaFunction', 'SchoolsLambdaFunction']);
  });

  it('runs the reconciliation hourly over the last 72 hours and daily over 30 days through the fan-out, one run per school, with bounded runners, on-failure queues and no stage-wide credentials', () => {
    // Hourly over the default window; daily, at a half hour, over 30 days: both start the fan-out.
    // (The feed's expiry sweep, every minute, is asserted with the feed.)
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties).filter((rule) => rule.Targets[0].Arn['Fn::GetAtt'][0] !== 'FeedExpiryLambdaFunction');
    assert.deepEqual(
      rules.map((rule) => [rule.ScheduleExpression, rule.State, rule.Targets.map((t: any) => [t.Arn['Fn::GetAtt'][0], t.Input ?? null])]),
      [
        ['rate(10 minutes)', 'ENABLED', [['EraseSchoolLambdaFunction', '{"sweep":true}']]],
        ['cron(0 * * * ? *)', 'ENABLED', [['ReconcileFanoutLambdaFunction', null]]],
        ['cron(30 3 * * ? *)', 'ENABLED', [['ReconcileFanoutLambdaFunction', '{"windowHours":720}']]],
      ],
    );
    // The schedules' permissions: the runner's two (the third is the school erasure's sweep, asserted with it).
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties).filter((p) => p.Principal === 'events.amazonaws.com' && !['EraseSchoolLambdaFunction', 'FeedExpiryLambdaFunction'].includes(p.FunctionName['Fn::GetAtt'][0]));
    assert.equal(permissions.length, 2);
    for (const permission of permissions) assert.equal(permission.FunctionName['Fn::GetAtt'][0], 'ReconcileFanoutLambdaFunction');

    const runner = resources.ReconcileLambdaFunction!.Properties;
    assert.equal(runner.Timeout, 900);
    // Runners at once, across schools: async invocations beyond it wait in Lambda's queue.
    assert.equal(runner.ReservedConcurrentExecutions, 10);
    // The runner's whole environment: which key opens a school's credentials, never a credential.
    assert.deepEqual(Object.keys(runner.Environment.Variables).sort(), [
      'AUDIT_TABLE', 'CREDENTIALS_KEY_ID', 'ENROLLMENTS_TABLE', 'EVENTS_TABLE', 'EVENT_RETENTION_DAYS', 'FEED_TABLE', 'HOTMART_API_URL', 'HOTMART_SANDBOX_API_URL',
      'HOTMART_SANDBOX_TOKEN_URL', 'HOTMART_TOKEN_URL', 'LOG_LEVEL', 'MAPPINGS_TABLE', 'METRICS_NAMESPACE', 'QUARANTINE_TABLE', 'RECONCILE_LEASE_SECONDS', 'RECONCILE_WINDOW_HOURS', 'RECONCILIATIONS_TABLE', 'SCHOOLS_TABLE',
    ]);
    assert.equal(runner.Environment.Variables.RECONCILE_WINDOW_HOURS, '72');
    // Hotmart's hosts come from stage options only, never from the deployer's shell.
    assert.equal(runner.Environment.Variables.HOTMART_API_URL, 'https://developers.hotmart.com');
    assert.equal(runner.Environment.Variables.HOTMART_TOKEN_URL, 'https://api-sec-vlc.hotmart.com/security/oauth/token');
    assert.ok(!JSON.stringify(template).includes('evil.example'), 'nothing of the shell variables in the template');
    // The lease outlives the runner, so a live run never loses it; a dead one frees it soon after.
    assert.ok(Number(runner.Environment.Variables.RECONCILE_LEASE_SECONDS) > runner.Timeout);
    // The stage-wide credentials parameter is gone: no SSM anywhere.
    assert.ok(!/ssm:|HOTMART_API_CREDENTIALS_PARAMETER|hotmart-api"|:parameter\//.test(JSON.stringify(template)), 'no SSM credentials parameter or permission');

    const invokeConfig = (fn: string) => ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties).filter((c) => c.FunctionName.Ref === fn);
    const [runnerConfig, ...moreRunner] = invokeConfig('ReconcileLambdaFunction');
    assert.equal(moreRunner.length, 0);
    assert.equal(runnerConfig.MaximumRetryAttempts, 1);
    assert.equal(runnerConfig.MaximumEventAgeInSeconds, 3600, 'a run waits at most an hour for a free runner');
    assert.deepEqual(runnerConfig.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['ReconcileFailuresQueue', 'Arn'] });

    const fanOut = resources.ReconcileFanoutLambdaFunction!.Properties;
    assert.equal(fanOut.FunctionName, 'hotmart-enrollments-prod-reconcile-fanout');
    assert.equal(fanOut.Environment.Variables.RECONCILE_FANOUT_FUNCTION, fanOut.FunctionName, 'each step invokes the next');
    assert.equal(fanOut.Environment.Variables.RECONCILE_FUNCTION, 'hotmart-enrollments-prod-reconcile');
    assert.equal(fanOut.Environment.Variables.RECONCILE_FANOUT_PAGE_SIZE, '100');
    // A started run's lease covers its wait in the runner's queue.
    assert.equal(fanOut.Environment.Variables.RECONCILE_QUEUE_SECONDS, String(runnerConfig.MaximumEventAgeInSeconds));
    const [fanOutConfig, ...moreFanOut] = invokeConfig('ReconcileFanoutLambdaFunction');
    assert.equal(moreFanOut.length, 0);
    assert.equal(fanOutConfig.MaximumRetryAttempts, 2);
    assert.deepEqual(fanOutConfig.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['ReconcileFailuresQueue', 'Arn'] });
    const queue = resources.ReconcileFailuresQueue!;
    assert.equal(queue.Type, 'AWS::SQS::Queue');
    assert.equal(queue.Properties.SqsManagedSseEnabled, true);

    // Only the runner may decrypt a school's credentials.
    const decrypters = ofType('AWS::IAM::Role').filter(([, role]) => JSON.stringify(role).includes('kms:Decrypt') && JSON.stringify(role).includes('-credentials"')).map(([id]) => id);
    assert.deepEqual(decrypters, ['ReconcileRole']);

    const statements = (role: string) => resources[role]!.Properties.Policies[0].PolicyDocument.Statement as any[];
    const invoke = statements('ReconciliationsRole').find((s) => s.Action.includes('lambda:InvokeFunction'));
    assert.match(invoke.Resource['Fn::Sub'], /:function:hotmart-enrollments-prod-reconcile$/);
    assert.equal(resources.ReconciliationsLambdaFunction!.Properties.Environment.Variables.RECONCILE_FUNCTION, 'hotmart-enrollments-prod-reconcile');
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const variables = JSON.stringify(fn.Properties.Environment.Variables);
      assert.ok(!/CLIENT_ID|CLIENT_SECRET|HOTMART_BASIC/.test(variables), `${id}: ${variables}`);
    }
  });

  it('applies purchases that waited for a mapping in the background: async retries, then an SQS on-failure queue; only the mappings function and the worker itself may invoke it', () => {
    const worker = resources.ApplyParkedLambdaFunction!.Properties;
    assert.equal(worker.FunctionName, 'hotmart-enrollments-prod-apply-parked');
    assert.equal(worker.Environment.Variables.APPLY_PARKED_FUNCTION, worker.FunctionName, 'each step invokes the next');
    assert.equal(resources.MappingsLambdaFunction!.Properties.Environment.Variables.APPLY_PARKED_FUNCTION, worker.FunctionName);
    const [config, ...others] = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties).filter((c) => c.FunctionName.Ref === 'ApplyParkedLambdaFunction');
    assert.equal(others.length, 0);
    assert.equal(config.MaximumRetryAttempts, 2);
    assert.deepEqual(config.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['ApplyParkedFailuresQueue', 'Arn'] });
    const queue = resources.ApplyParkedFailuresQueue!;
    assert.equal(queue.Type, 'AWS::SQS::Queue');
    assert.equal(queue.Properties.SqsManagedSseEnabled, true);
    assert.equal(queue.Properties.MessageRetentionPeriod, 1209600, '14 days, the most SQS keeps');
    const invokers = ofType('AWS::IAM::Role').filter(([, role]) => JSON.stringify(role).includes('lambda:InvokeFunction'));
    for (const [id, role] of invokers) {
      const invoke = role.Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Action.includes('lambda:InvokeFunction'));
      const targets =
        id === 'ReconciliationsRole' ? ['reconcile'] : id === 'ReconcileFanoutRole' ? ['reconcile', 'reconcile-fanout'] : id === 'SchoolsRole' || id === 'EraseSchoolRole' ? ['erase-school'] : id === 'FeedRole' || id === 'FeedRedriveRole' ? ['feed-redrive'] : ['apply-parked'];
      assert.deepEqual([invoke.Resource].flat().map((r: any) => /:function:hotmart-enrollments-prod-([\w-]+)$/.exec(r['Fn::Sub'])?.[1]), targets, id);
    }
    assert.deepEqual(invokers.map(([id]) => id).sort(), ['ApplyParkedRole', 'EraseSchoolRole', 'FeedRedriveRole', 'FeedRole', 'MappingsRole', 'ReconcileFanoutRole', 'ReconciliationsRole', 'SchoolsRole']);
    const send = resources.ApplyParkedRole!.Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Action.includes('sqs:SendMessage'));
    assert.deepEqual(send.Resource, { 'Fn::GetAtt': ['ApplyParkedFailuresQueue', 'Arn'] });
  });

  it('erases deleted schools in the background: async retries, an SQS on-failure queue, a sweep every 10 minutes; only the schools function and the worker may invoke it', () => {
    const worker = resources.EraseSchoolLambdaFunction!.Properties;
    assert.equal(worker.FunctionName, 'hotmart-enrollments-prod-erase-school');
    assert.equal(worker.Environment.Variables.ERASE_SCHOOL_FUNCTION, worker.FunctionName, 'each step invokes the next');
    assert.equal(resources.SchoolsLambdaFunction!.Properties.Environment.Variables.ERASE_SCHOOL_FUNCTION, worker.FunctionName);
    const [config, ...others] = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties).filter((c) => c.FunctionName.Ref === 'EraseSchoolLambdaFunction');
    assert.equal(others.length, 0);
    assert.equal(config.MaximumRetryAttempts, 2);
    assert.deepEqual(config.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['EraseSchoolFailuresQueue', 'Arn'] });
    const queue = resources.EraseSchoolFailuresQueue!;
    assert.equal(queue.Type, 'AWS::SQS::Queue');
    assert.equal(queue.Properties.SqsManagedSseEnabled, true);
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes('EraseSchoolLambdaFunction'));
    assert.equal(rules.length, 1);
    assert.equal(rules[0]![1].Properties.ScheduleExpression, 'rate(10 minutes)');
    assert.deepEqual(JSON.parse(rules[0]![1].Properties.Targets[0].Input), { sweep: true });
    // Every table keyed by a school's scope has the keys-only index a school's erasure reads.
    for (const table of ['Events', 'Enrollments', 'Mappings', 'Quarantine', 'Reconciliations', 'Feed']) {
      const index = resources[`${table}Table`]!.Properties.GlobalSecondaryIndexes.find((i: any) => i.IndexName === 'bySchool');
      assert.deepEqual(index, { IndexName: 'bySchool', KeySchema: [{ AttributeName: 'schoolShard', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }, table);
    }
  });

  it('keeps tables pay-per-request, point-in-time recovered and retained; quarantine expires by TTL', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    assert.equal(tables.length, 8);
    for (const [id, table] of tables) {
      assert.equal(table.DeletionPolicy, 'Retain', id);
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST', id);
      assert.equal(table.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, true, id);
      assert.match(table.Properties.TableName, /^hotmart-enrollments-prod-/);
    }
    assert.deepEqual(resources.QuarantineTable!.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.deepEqual(resources.ReconciliationsTable!.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    // Event records (buyer e-mail and name) expire too, after the stage's retention (default 400 days).
    assert.deepEqual(resources.EventsTable!.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    // Feed events expire (kept at least 30 days); the feed's capture and enqueue read the two streams.
    assert.deepEqual(resources.FeedTable!.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.equal(resources.FeedTable!.Properties.StreamSpecification.StreamViewType, 'NEW_IMAGE');
    assert.equal(resources.EnrollmentsTable!.Properties.StreamSpecification.StreamViewType, 'NEW_IMAGE');
    for (const [id, fn] of ofType('AWS::Lambda::Function')) assert.equal(fn.Properties.Environment.Variables.EVENT_RETENTION_DAYS, '400', id);
  });

  it('keeps the audit trail a year in its own table, keyed by school id, readable at GET /schools/{schoolId}/audit (IAM) by a function that can only read it', () => {
    const audit = resources.AuditTable!;
    assert.equal(audit.DeletionPolicy, 'Retain');
    assert.equal(audit.Properties.TableName, 'hotmart-enrollments-prod-audit');
    assert.deepEqual(audit.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
    assert.deepEqual(audit.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    // No bySchool index: a school's erasure does not reach its trail; a student's finds their records through byStudent.
    assert.deepEqual(audit.Properties.GlobalSecondaryIndexes.map((index: any) => [index.IndexName, index.Projection.ProjectionType]), [['byStudent', 'KEYS_ONLY']]);
    const route = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'GET /schools/{schoolId}/audit')![1];
    assert.equal(route.Properties.AuthorizationType, 'AWS_IAM');
    const integration = JSON.stringify(route.Properties.Target).match(/HttpApiIntegration\w+/)![0];
    assert.match(JSON.stringify(resources[integration]!.Properties.IntegrationUri), /AuditLambdaFunction/);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) assert.equal(fn.Properties.Environment.Variables.AUDIT_TABLE, 'hotmart-enrollments-prod-audit', id);
  });

  it('seals school credentials with a rotating KMS key: only the credentials function may encrypt, only the runner decrypt, each bound to a school id', () => {
    const schoolContext = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['schoolId'] }, Null: { 'kms:EncryptionContextKeys': 'false' } };
    const keys = ofType('AWS::KMS::Key').filter(([id]) => id === 'CredentialsKey'); // the feed's own key: its own it()
    assert.equal(keys.length, 1);
    const [keyId, key] = keys[0]!;
    assert.equal(key!.Properties.EnableKeyRotation, true);
    assert.equal(key!.Properties.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(key!.DeletionPolicy, 'Retain');
    const [, alias] = ofType('AWS::KMS::Alias').find(([id]) => id === 'CredentialsKeyAlias')!;
    assert.deepEqual(alias!.Properties, { AliasName: 'alias/hotmart-enrollments-prod-credentials', TargetKeyId: { Ref: keyId } });

    // The key policy: the account administers the key but cannot use it; one role encrypts, one decrypts.
    const policy = key!.Properties.KeyPolicy.Statement as any[];
    const crypto = /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|\*)/;
    const users = policy.filter((s) => [s.Action].flat().some((a: string) => crypto.test(a)));
    assert.deepEqual(
      users.map((s) => [s.Principal.AWS, s.Action, s.Condition]),
      [
        [{ 'Fn::GetAtt': ['CredentialsRole', 'Arn'] }, 'kms:Encrypt', schoolContext],
        [{ 'Fn::GetAtt': ['ReconcileRole', 'Arn'] }, 'kms:Decrypt', schoolContext],
      ],
    );
    for (const statement of policy) assert.equal(statement.Effect, 'Allow');

    // IAM: the same two, on that key only (by its alias); no other role has any kms action but the feed sender's Decrypt on the feed's own key.
    const kmsGrants = ofType('AWS::IAM::Role').flatMap(([id, role]) =>
      role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement)
        .filter((s: any) => JSON.stringify(s.Action).includes('kms:') && !JSON.stringify(s.Condition).includes('-feed-secrets'))
        .map((s: any) => [id, s.Action, s.Condition]),
    );
    const onTheKey = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/hotmart-enrollments-prod-credentials' }, ...schoolContext };
    assert.deepEqual(kmsGrants, [
      ['CredentialsRole', ['kms:Encrypt'], onTheKey],
      ['ReconcileRole', ['kms:Decrypt'], onTheKey],
    ]);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const keyIdVariable = fn.Properties.Environment.Variables.CREDENTIALS_KEY_ID;
      if (id === 'CredentialsLambdaFunction' || id === 'ReconcileLambdaFunction') assert.equal(keyIdVariable, 'alias/hotmart-enrollments-prod-credentials', id);
      else assert.equal(keyIdVariable, undefined, id);
    }
    const credentials = resources.CredentialsLambdaFunction!.Properties.Environment.Variables;
    assert.equal(credentials.HOTMART_TOKEN_URL, 'https://api-sec-vlc.hotmart.com/security/oauth/token');
    assert.equal(credentials.HOTMART_SANDBOX_API_URL, 'https://sandbox.hotmart.com');
  });

  it('generates the tokens’ pepper as a Secrets Manager secret that the credentials function cannot read', () => {
    const secrets = ofType('AWS::SecretsManager::Secret');
    assert.equal(secrets.length, 1);
    const [id, secret] = secrets[0]!;
    assert.equal(id, 'PepperSecret');
    assert.deepEqual(secret!.Properties.GenerateSecretString, { PasswordLength: 64, ExcludePunctuation: true });
    assert.equal(secret!.Properties.SecretString, undefined, 'generated, never written in the template');
    assert.equal(secret!.DeletionPolicy, 'Retain');
    assert.ok(!JSON.stringify(resources.CredentialsRole).includes('secretsmanager:'), 'the credentials function reads no secret');
    // The registry the credentials live in: hash key pk only.
    assert.deepEqual(resources.SchoolsTable!.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
    assert.equal(resources.SchoolsTable!.Properties.TableName, 'hotmart-enrollments-prod-schools');
  });

  it('runs Node 22 on arm64, every API function within 6 s, and retains logs', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      assert.equal(fn.Properties.Runtime, 'nodejs22.x', id);
      assert.deepEqual(fn.Properties.Architectures, ['arm64'], id);
      // The background functions (reconciliation runner and fan-out, parked-purchase worker, school erasure) serve no request.
      // The feed's ping waits up to 10 s for the school's endpoint: that function gets 15.
      if (id === 'FeedLambdaFunction') assert.equal(fn.Properties.Timeout, 15, id);
      else if (!['ReconcileLambdaFunction', 'ReconcileFanoutLambdaFunction', 'ApplyParkedLambdaFunction', 'EraseSchoolLambdaFunction', 'FeedCaptureLambdaFunction', 'FeedExpiryLambdaFunction', 'FeedEnqueueLambdaFunction', 'FeedSenderLambdaFunction', 'FeedRedriveLambdaFunction'].includes(id)) assert.ok(fn.Properties.Timeout <= 6, id);
    }
    const logGroups = ofType('AWS::Logs::LogGroup');
    assert.equal(logGroups.length, 19);
    for (const [id, group] of logGroups) assert.ok(group.Properties.RetentionInDays > 0, id);
  });

  it('serves the school’s feed behind IAM with its own role: the feed table and its pending/dead indexes, a rotating KMS key of its own bound to a school id, the redrive worker, the audit record of each write', () => {
    const feedRoutes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties).filter((r) => /\/schools\/\{schoolId\}\/feed(\/|$)/.test(r.RouteKey));
    assert.deepEqual(feedRoutes.map((r) => r.RouteKey).sort(), [
      'DELETE /schools/{schoolId}/feed', 'GET /schools/{schoolId}/feed', 'GET /schools/{schoolId}/feed/events', 'POST /schools/{schoolId}/feed/ping',
      'POST /schools/{schoolId}/feed/replay', 'POST /schools/{schoolId}/feed/secret', 'PUT /schools/{schoolId}/feed',
    ]);
    for (const r of feedRoutes) assert.equal(r.AuthorizationType, 'AWS_IAM', r.RouteKey);

    const fn = resources.FeedLambdaFunction!.Properties;
    assert.equal(fn.Environment.Variables.FEED_SECRETS_KEY_ID, 'alias/hotmart-enrollments-prod-feed-secrets');
    assert.equal(fn.Environment.Variables.FEED_REDRIVE_FUNCTION, 'hotmart-enrollments-prod-feed-redrive');
    assert.ok(fn.Timeout > 10, 'a ping may wait 10 s for the endpoint');

    const key = resources.FeedSecretsKey!;
    assert.equal(key.Type, 'AWS::KMS::Key');
    assert.equal(key.Properties.EnableKeyRotation, true);
    assert.equal(key.DeletionPolicy, 'Retain');
    assert.deepEqual(resources.FeedSecretsKeyAlias!.Properties, { AliasName: 'alias/hotmart-enrollments-prod-feed-secrets', TargetKeyId: { Ref: 'FeedSecretsKey' } });
    const schoolContext = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['schoolId'] }, Null: { 'kms:EncryptionContextKeys': 'false' } };
    const users = (key.Properties.KeyPolicy.Statement as any[]).filter((s) => [s.Action].flat().some((a: string) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|\*)/.test(a)));
    // Only the feed function encrypts; it (ping) and the sender decrypt.
    const decrypters = ['FeedRole', 'FeedSenderRole'];
    assert.deepEqual(
      users.map((s) => [s.Principal.AWS['Fn::GetAtt'][0], s.Action, s.Condition]),
      [['FeedRole', 'kms:Encrypt', schoolContext], ...decrypters.map((role) => [role, 'kms:Decrypt', schoolContext])],
    );
    // IAM: no role but the feed function's may encrypt with it; every grant names it by alias, with the school context.
    const onTheFeedKey = ofType('AWS::IAM::Role').flatMap(([id, role]) =>
      role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s.Condition ?? {}).includes('-feed-secrets')).map((s: any) => [id, s]),
    );
    for (const [id, s] of onTheFeedKey) {
      assert.deepEqual(s.Condition, { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/hotmart-enrollments-prod-feed-secrets' }, ...schoolContext }, id);
      if (id !== 'FeedRole') assert.deepEqual([s.Action].flat(), ['kms:Decrypt'], id);
    }
    assert.deepEqual(onTheFeedKey.find(([id]) => id === 'FeedRole')![1].Action, ['kms:Encrypt', 'kms:Decrypt']);

    const statements = resources.FeedRole!.Properties.Policies[0].PolicyDocument.Statement as any[];
    const invoke = statements.find((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    assert.match(invoke.Resource['Fn::Sub'], /:function:hotmart-enrollments-prod-feed-redrive$/);
    const indexes = statements.flatMap((s) => [s.Resource].flat()).map((r: any) => r['Fn::Sub']).filter((r) => typeof r === 'string' && r.includes('/index/'));
    assert.deepEqual(indexes, ['${FeedTable.Arn}/index/feedPending', '${FeedTable.Arn}/index/feedDead']);
    const tablesTouched = statements.flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r)).flatMap((r) => /(\w+)Table/.exec(r)?.[1] ?? []);
    assert.deepEqual([...new Set(tablesTouched)].sort(), ['Audit', 'Feed', 'Schools']);
    // The audit trail: only the record of each write (README, "Audit").
    const onAudit = statements.filter((s) => JSON.stringify(s.Resource).includes('AuditTable'));
    assert.deepEqual(onAudit.map((s) => [s.Action].flat()), [['dynamodb:PutItem']]);
  });

  it('captures enrollment changes into the feed from the enrollments stream (bisect, finite retries, batch item failures, an SQS on-failure queue) and sweeps expiries every minute through the cross-school index', () => {
    const [mapping, ...others] = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties).filter((m) => m.FunctionName['Fn::GetAtt']?.[0] === 'FeedCaptureLambdaFunction');
    assert.equal(others.length, 0);
    assert.deepEqual(mapping.EventSourceArn, { 'Fn::GetAtt': ['EnrollmentsTable', 'StreamArn'] });
    assert.equal(mapping.BisectBatchOnFunctionError, true);
    assert.equal(mapping.MaximumRetryAttempts, 5);
    assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.ok(mapping.BatchSize >= 1 && mapping.BatchSize <= 1000);
    assert.deepEqual(mapping.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['FeedCaptureFailuresQueue', 'Arn'] });
    const queue = resources.FeedCaptureFailuresQueue!;
    assert.equal(queue.Type, 'AWS::SQS::Queue');
    assert.equal(queue.Properties.SqsManagedSseEnabled, true);
    assert.equal(queue.Properties.MessageRetentionPeriod, 1209600);
    assert.equal(resources.EnrollmentsTable!.Properties.StreamSpecification.StreamViewType, 'NEW_IMAGE');
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) => JSON.stringify(rule.Properties.Targets).includes('FeedExpiryLambdaFunction'));
    assert.equal(rules.length, 1);
    assert.equal(rules[0]![1].Properties.ScheduleExpression, 'rate(1 minute)');
    const query = resources.FeedExpiryRole!.Properties.Policies[0].PolicyDocument.Statement.find((s: any) => s.Action.includes('dynamodb:Query'));
    assert.deepEqual(query.Resource, { 'Fn::Sub': '${FeedTable.Arn}/index/cross-school-access-ends' }, 'the one cross-school read of the sweep');
  });

  it('pushes the feed through a FIFO queue (retention, visibility, a dead-letter queue above the retry schedule), the stage\'s bus, bounded stream retries and on-failure queues', () => {
    const queue = resources.FeedDeliveriesQueue!.Properties;
    assert.equal(queue.FifoQueue, true);
    assert.equal(queue.QueueName, 'hotmart-enrollments-prod-feed-deliveries.fifo');
    assert.ok(queue.MessageRetentionPeriod >= 2 * 86_400, 'kept longer than the ≈26 h of retries');
    const sender = resources.FeedSenderLambdaFunction!.Properties;
    assert.ok(queue.VisibilityTimeout >= sender.Timeout + 10, 'never handed out twice while the sender may still hold it');
    const dlq = queue.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    assert.equal(resources[dlq]!.Properties.FifoQueue, true);
    assert.ok(queue.RedrivePolicy.maxReceiveCount > 20 * 2, 'above the schedule\'s attempts, with room for ordering waits');
    assert.equal(resources.FeedBus!.Type, 'AWS::Events::EventBus');
    assert.equal(resources.FeedBus!.Properties.Name, 'hotmart-enrollments-prod');

    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const ofFunction = (id: string) => mappings.filter((m) => m.FunctionName['Fn::GetAtt'][0] === id);
    const [stream] = ofFunction('FeedEnqueueLambdaFunction');
    assert.deepEqual(stream.EventSourceArn, { 'Fn::GetAtt': ['FeedTable', 'StreamArn'] });
    assert.equal(stream.BisectBatchOnFunctionError, true);
    assert.ok(stream.MaximumRetryAttempts >= 1 && stream.MaximumRetryAttempts <= 10, 'finite retries');
    assert.deepEqual(stream.FunctionResponseTypes, ['ReportBatchItemFailures']);
    assert.deepEqual(stream.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['FeedEnqueueFailuresQueue', 'Arn'] });
    assert.deepEqual(JSON.parse(stream.FilterCriteria.Filters[0].Pattern), { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'EVT#' }] } } } });
    const [fifo] = ofFunction('FeedSenderLambdaFunction');
    assert.deepEqual(fifo.EventSourceArn, { 'Fn::GetAtt': ['FeedDeliveriesQueue', 'Arn'] });
    assert.ok(fifo.BatchSize <= 10);
    assert.deepEqual(fifo.FunctionResponseTypes, ['ReportBatchItemFailures']);

    const redrive = ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => c.Properties.FunctionName.Ref === 'FeedRedriveLambdaFunction')![1].Properties;
    assert.equal(redrive.MaximumRetryAttempts, 2);
    assert.match(JSON.stringify(redrive.DestinationConfig.OnFailure.Destination), /FeedRedriveFailuresQueue/);
    const env = (id: string) => resources[id]!.Properties.Environment.Variables;
    assert.deepEqual(env('FeedEnqueueLambdaFunction').FEED_BUS_NAME, { Ref: 'FeedBus' });
    assert.deepEqual(env('FeedSenderLambdaFunction').FEED_DELIVERY_QUEUE_URL, { Ref: 'FeedDeliveriesQueue' });
    assert.equal(env('FeedSenderLambdaFunction').FEED_SECRETS_KEY_ID, 'alias/hotmart-enrollments-prod-feed-secrets');
    assert.equal(env('FeedRedriveLambdaFunction').FEED_REDRIVE_FUNCTION, 'hotmart-enrollments-prod-feed-redrive');
    // Of the three, only the sender opens the endpoint's secrets (besides the feed function's ping), bound to a school id.
    const decrypts = Object.entries(resources.FeedSecretsKey!.Properties.KeyPolicy.Statement as any[]).filter(([, s]) => [s.Action].flat().includes('kms:Decrypt'));
    assert.deepEqual(decrypts.map(([, s]) => s.Principal.AWS['Fn::GetAtt'][0]), ['FeedRole', 'FeedSenderRole']);
  });

  it('pages one stage topic: an alarm per function (errors, throttles), table, on-failure queue and service metric, a dashboard, the webhook protected and the admin API throttled', () => {
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm'));
    for (const [id, alarm] of Object.entries(alarms)) {
      assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: 'AlarmTopic' }], id);
      assert.match(alarm.Properties.AlarmDescription, /What to do: README\.md, "Runbook" → [a-z0-9-]+/, id);
      assert.ok(alarm.Properties.AlarmDescription.length <= 1024, id);
    }
    const on = (namespace: string, metric: string, dimension?: unknown) =>
      Object.values(alarms).filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric && (dimension === undefined || JSON.stringify(a.Properties.Dimensions?.[0]?.Value) === JSON.stringify(dimension)));
    // Every function, whoever adds it: its Errors and its Throttles.
    const functions = ofType('AWS::Lambda::Function');
    assert.ok(functions.length >= 12);
    for (const [id] of functions) {
      assert.equal(on('AWS/Lambda', 'Errors', { Ref: id }).length, 1, `${id} errors`);
      assert.equal(on('AWS/Lambda', 'Throttles', { Ref: id }).length, 1, `${id} throttles`);
    }
    // Every table: its read and write throttle events.
    for (const [id] of ofType('AWS::DynamoDB::Table')) {
      const alarm = alarms[`${id}ThrottlesAlarm`];
      assert.ok(alarm, id);
      assert.deepEqual(alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions[0].Value]), [['ReadThrottleEvents', { Ref: id }], ['WriteThrottleEvents', { Ref: id }]]);
    }
    // Every asynchronous function has an on-failure queue, and every such queue an alarm on its depth.
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    const sources = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const sourced = (id: string) => sources.filter((m) => m.FunctionName['Fn::GetAtt']?.[0] === id);
    const background = functions.filter(([id]) => !ofType('AWS::ApiGatewayV2::Integration').some(([, i]) => JSON.stringify(i.Properties.IntegrationUri).includes(`"${id}"`)));
    const asynchronous = background.filter(([id]) => sourced(id).length === 0);
    assert.deepEqual(asynchronous.map(([id]) => id).sort(), ['ApplyParkedLambdaFunction', 'EraseSchoolLambdaFunction', 'FeedExpiryLambdaFunction', 'FeedRedriveLambdaFunction', 'ReconcileFanoutLambdaFunction', 'ReconcileLambdaFunction']);
    // Functions on a stream or a queue: a stream's failed batches go to an on-failure queue, a queue's
    // messages that keep failing to its dead-letter queue; either way an alarm on that queue's depth.
    const streamOrQueue = background.filter(([id]) => sourced(id).length > 0);
    assert.deepEqual(streamOrQueue.map(([id]) => id).sort(), ['FeedCaptureLambdaFunction', 'FeedEnqueueLambdaFunction', 'FeedSenderLambdaFunction']);
    for (const [id] of streamOrQueue) {
      for (const mapping of sourced(id)) {
        const source = mapping.EventSourceArn['Fn::GetAtt'][0];
        const queue = mapping.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0] ?? resources[source]?.Properties.RedrivePolicy?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
        assert.equal(resources[queue]?.Type, 'AWS::SQS::Queue', `${id} has no failure queue`);
        assert.equal(on('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queue, 'QueueName'] }).length, 1, `${queue} depth`);
      }
    }
    for (const [id] of asynchronous) {
      const config = configs.find((c) => c.FunctionName.Ref === id);
      const queue = config?.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
      assert.equal(resources[queue]?.Type, 'AWS::SQS::Queue', `${id} has no on-failure queue`);
      const depth = on('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [queue, 'QueueName'] });
      assert.equal(depth.length, 1, `${queue} depth`);
      assert.equal(depth[0]!.Properties.Threshold, 1);
    }
    // The service's own metrics (lib/observability/metrics.ts), stage-wide: no dimension at all.
    const own = (metric: string) => {
      const found = on('hotmart-enrollments/prod', metric);
      assert.equal(found.length, 1, metric);
      assert.equal(found[0]!.Properties.Dimensions, undefined, metric);
      return found[0]!.Properties;
    };
    for (const metric of ['Webhook5xx', 'DeliveryRefused401', 'DeliveryQuarantined', 'ReconciliationFailed', 'ReconciliationLostWebhooks', 'WebhookSilence', 'FeedDead', 'FeedEndpointDisabled']) own(metric);
    assert.deepEqual([own('WaitingForMappingAgeSeconds').Statistic, own('WaitingForMappingAgeSeconds').Threshold], ['Maximum', 3600]);
    assert.equal(resources.WebhookLambdaFunction!.Properties.Environment.Variables.METRICS_NAMESPACE, 'hotmart-enrollments/prod');

    // One topic; an e-mail subscription only when --param="alarm-email=…" names an address.
    assert.equal(ofType('AWS::SNS::Topic').length, 1);
    const subscription = resources.AlarmEmailSubscription as Resource & { Condition?: string };
    assert.equal(subscription.Condition, 'HasAlarmEmail');
    assert.deepEqual(template.Conditions.HasAlarmEmail, { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] }, 'no address given: no subscription');

    // The dashboard names every function, table and queue the alarms watch.
    const body = resources.OperationsDashboard!.Properties.DashboardBody['Fn::Sub'];
    for (const [id] of [...functions, ...ofType('AWS::DynamoDB::Table')]) assert.ok(body.includes(`\${${id}}`), `dashboard misses ${id}`);
    for (const metric of ['DeliveryProcessed', 'DeliveryRefused401', 'WebhookLatency', 'ReconciliationFailed', 'WaitingForMappingAgeSeconds', 'FeedDead']) assert.ok(body.includes(`"${metric}"`), metric);

    // Starvation: concurrency reserved for the webhook; the admin API throttled, the webhook's routes allowed more.
    assert.equal(resources.WebhookLambdaFunction!.Properties.ReservedConcurrentExecutions, 100);
    const stage = resources.HttpApiStage!.Properties;
    assert.deepEqual([stage.DefaultRouteSettings.ThrottlingRateLimit, stage.DefaultRouteSettings.ThrottlingBurstLimit], [20, 40]);
    assert.deepEqual(Object.keys(stage.RouteSettings).sort(), ['GET /schools/{schoolId}/webhooks/hotmart', 'POST /schools/{schoolId}/webhooks/hotmart']);
    for (const route of Object.values<any>(stage.RouteSettings)) assert.ok(route.ThrottlingRateLimit > stage.DefaultRouteSettings.ThrottlingRateLimit);

    // Tracing: every function actively traced, its role allowed to write to X-Ray.
    for (const [id, fn] of functions) {
      assert.deepEqual(fn.Properties.TracingConfig, { Mode: 'Active' }, id);
      const role = resources[fn.Properties.Role['Fn::GetAtt'][0]]!;
      assert.ok(JSON.stringify(role.Properties.ManagedPolicyArns).includes('AWSXRayDaemonWriteAccess'), id);
    }
  });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  it('absorbs a launch burst cold, answers the printed curls pasted, reconciles against the fake Hotmart API, and stops everything on SIGTERM', async () => {
    const stack = await startLocalStack({ HOTMART_API: 'fake' });
    const { base, port } = stack;
    try {
      const output = stack.output();
      const dynamoPort = Number(/DynamoDB Local at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      assert.match(output, /dev-hottok-change-me/);
      // The banner is what a newcomer sees: no route table, no warning that is not theirs.
      assert.doesNotMatch(output, /[┌│└]|NodeVersionSupportWarning|EBADENGINE|Warning:/, output);

      // A product launch against the cold stack: 50 copies of one new delivery, then 50 new ones.
      const launch = 9_300_001;
      const mapped = await fetch(`${base}/mappings/${launch}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ targets: [{ type: 'course', id: 'launch' }] }) });
      assert.equal(mapped.status, 201);
      const one = newApproval(launch);
      const copies = await Promise.all(Array.from({ length: 50 }, () => post(base, one, 'dev-hottok-change-me')));
      assert.deepEqual(tally(copies), { '200 processed': 1, '200 duplicate': 49 });
      const different = await Promise.all(Array.from({ length: 50 }, () => post(base, newApproval(launch), 'dev-hottok-change-me')));
      assert.deepEqual(tally(different), { '200 processed': 50 });

      // The banner's curls, pasted into a shell as printed.
      const curls = printedCurls(output);
      const [putMapping, postFixture, getEnrollments] = curls.filter((c) => !c.includes('/feed')); // the feed's step: local-stack.test.ts
      assert.match(putMapping ?? '', /-X PUT \S+\/mappings\/3412911/, output);
      assert.equal(JSON.parse(paste(putMapping!)).productId, '3412911');
      assert.equal(JSON.parse(paste(postFixture!)).status, 'processed');
      assert.equal(JSON.parse(paste(getEnrollments!)).items[0].hasAccess, true);
      const refused = await fetch(`${base}/webhooks/hotmart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(refused.status, 401);
      // The school npm start created, and no other.
      assert.deepEqual(((await (await fetch(`${stack.api}/schools`)).json()) as { items: { schoolId: string }[] }).items.map((s: { schoolId: string }) => s.schoolId), ['demo']);
      assert.equal((await post(`${stack.api}/schools/other`, newApproval(launch), 'dev-hottok-change-me')).status, 404);

      // The printed reconciliation curl: a run handed to the runner through serverless-offline's
      // Lambda endpoint, against the fake Hotmart API's demo records.
      const curl = curls.find((c) => c.includes('-X POST') && c.includes('/reconciliations'));
      assert.ok(curl, `no reconciliation curl printed:\n${output}`);
      const started = JSON.parse(paste(curl));
      assert.equal(started.status, 'running');
      const { id } = started as { id: string };
      let run: any;
      for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 250))) {
        run = await (await fetch(`${base}/reconciliations/${id}`)).json();
        if (run.status !== 'running') break;
      }
      assert.equal(run.status, 'succeeded', JSON.stringify(run));
      assert.equal(run.report.alreadyKnown >= 1, true, 'the fixture purchase, delivered by webhook above');
      assert.ok(run.report.applied.grants >= 2, JSON.stringify(run.report));
      const recovered: any = await (await fetch(`${base}/enrollments?email=demo.lost.purchase@example.com`)).json();
      assert.equal(recovered.items[0].hasAccess, true);

      await stack.terminate();
      // npm returns first; give the script its moment to stop what it started.
      const stopBy = Date.now() + 10_000;
      while ((await portOpen(dynamoPort)) || (await portOpen(port))) {
        assert.ok(Date.now() < stopBy, `still listening 10 s after SIGTERM (DynamoDB Local ${await portOpen(dynamoPort)}, offline ${await portOpen(port)})`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const java = spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${dynamoPort}`], { encoding: 'utf8' });
      assert.equal(java.stdout.trim(), '', 'a java process was left behind');
    } finally {
      stack.kill();
    }
  });
});
