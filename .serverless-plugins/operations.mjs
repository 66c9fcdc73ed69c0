/**
 * Alarms, a dashboard and throttling generated from the packaged template itself (README,
 * "Runbook"), so that a new function, table or on-failure queue cannot be left without its alarm:
 *   - every Lambda function: an Errors and a Throttles alarm;
 *   - every DynamoDB table: a read/write throttle events alarm;
 *   - every on-failure destination queue (EventInvokeConfig): a queue-depth alarm;
 *   - the service's own metrics (lib/observability/metrics.ts): one alarm each, from `ALARMS`;
 *   - the HTTP API stage: default route throttling, the webhook's routes allowed more;
 *   - X-Ray write access for every actively traced function's role;
 *   - one CloudWatch dashboard with the same figures.
 * Every alarm goes to AlarmTopic (serverless.yml). Settings come from `custom.operations`.
 * Runs after the stack's own `resources` are merged, before the template is written.
 */

// The repository's README (no URL is assumed: the stack does not know where its source is hosted).
const runbook = (anchor) => `README.md, "Runbook" → ${anchor}`;

/** The service's own metrics and what each alarm means (lib/observability/metrics.ts names them). */
export const ALARMS = [
  { id: 'Webhook5xx', metric: 'Webhook5xx', stat: 'Sum', period: 300, threshold: 5, anchor: 'webhook-5xx',
    what: 'The webhook answered 5xx (storage unavailable, timeout, a school without a token): Hotmart retries, but students wait and Hotmart may disable the webhook.' },
  { id: 'Refused401Spike', metric: 'DeliveryRefused401', stat: 'Sum', period: 900, threshold: 20, anchor: 'refused-deliveries-401',
    what: 'Many deliveries refused with 401: a school\'s token was rotated in Hotmart but not here (or the reverse). Nothing from that school is applied.' },
  { id: 'Quarantined', metric: 'DeliveryQuarantined', stat: 'Sum', period: 300, threshold: 1, anchor: 'quarantined-deliveries',
    what: 'A delivery with the right token could not be understood and was quarantined: its purchase is not applied until replayed.' },
  { id: 'WaitingForMapping', metric: 'WaitingForMappingAgeSeconds', stat: 'Maximum', period: 3600, threshold: 3600, anchor: 'purchases-waiting-for-a-mapping',
    what: 'A purchase has waited more than an hour for a product mapping: its buyer has paid and has no access.' },
  { id: 'ReconciliationFailed', metric: 'ReconciliationFailed', stat: 'Sum', period: 3600, threshold: 1, anchor: 'reconciliation-failed',
    what: 'A reconciliation run failed (credentials, Hotmart API errors, time limit): lost webhooks of that school are not being recovered.' },
  { id: 'LostWebhooksFound', metric: 'ReconciliationLostWebhooks', stat: 'Sum', period: 3600, threshold: 1, anchor: 'lost-webhooks-found',
    what: 'Reconciliation applied changes no webhook had delivered: a school\'s Hotmart webhook configuration is probably off.' },
  { id: 'WebhookSilence', metric: 'WebhookSilence', stat: 'Sum', period: 3600, threshold: 1, anchor: 'webhook-silence',
    what: 'A school\'s reconciliation found sales while no delivery arrived for 24 h: Hotmart has probably switched the school\'s webhook off.' },
  { id: 'FeedDead', metric: 'FeedDead', stat: 'Sum', period: 300, threshold: 1, anchor: 'feed-dead-events',
    what: 'Feed events exhausted their retries (dead): the platform did not learn of these enrollment changes.' },
  { id: 'FeedEndpointDisabled', metric: 'FeedEndpointDisabled', stat: 'Sum', period: 300, threshold: 1, anchor: 'feed-endpoint-disabled',
    what: 'A school\'s feed endpoint answered 410 Gone and was disabled: nothing is pushed to that platform until its endpoint is set again (PUT …/feed).' },
];

const alarm = (topic, props) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: [topic], OKActions: [topic], ...props },
});

/**
 * The resources to add to `template` (a packaged CloudFormation template): pure, for the template
 * test. `settings`: custom.operations (namespace, throttling, per-function throttle thresholds).
 */
export function operationsResources(template, settings) {
  const resources = template.Resources;
  const topic = { Ref: 'AlarmTopic' };
  const prefix = settings.alarmPrefix;
  const added = {};
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id).sort();
  for (const id of functions) {
    const name = id.replace(/LambdaFunction$/, '');
    added[`${name}ErrorsAlarm`] = alarm(topic, {
      AlarmName: `${prefix}-${name}-errors`,
      AlarmDescription: `${name} failed (an uncaught error, a timeout, out of memory). What to do: ${runbook('function-errors')}`,
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }], Statistic: 'Sum', Period: 300, Threshold: 1,
    });
    added[`${name}ThrottlesAlarm`] = alarm(topic, {
      AlarmName: `${prefix}-${name}-throttles`,
      AlarmDescription: `${name} was throttled (its reserved concurrency or the account's limit). What to do: ${runbook('function-throttles')}`,
      Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }], Statistic: 'Sum',
      Period: settings.throttles?.[name]?.period ?? 300, Threshold: settings.throttles?.[name]?.threshold ?? 1,
    });
  }
  const tables = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id).sort();
  for (const id of tables) {
    const metric = (mid, name) => ({ Id: mid, ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: name, Dimensions: [{ Name: 'TableName', Value: { Ref: id } }] }, Period: 300, Stat: 'Sum' } });
    added[`${id}ThrottlesAlarm`] = alarm(topic, {
      AlarmName: `${prefix}-${id}-throttles`,
      AlarmDescription: `DynamoDB throttled requests on ${id}: writes or reads were refused and retried (the webhook may answer 503). What to do: ${runbook('dynamodb-throttling')}`,
      Threshold: 1,
      Metrics: [metric('reads', 'ReadThrottleEvents'), metric('writes', 'WriteThrottleEvents'), { Id: 'throttled', Expression: 'reads + writes', Label: 'throttle events', ReturnData: true }],
    });
  }
  // Where failed work lands: asynchronous invocations' and stream event sources' on-failure queues,
  // and the dead-letter queues of queues a function reads.
  const queues = new Set();
  for (const [, r] of Object.entries(resources)) {
    const arn =
      r.Type === 'AWS::Lambda::EventInvokeConfig' || r.Type === 'AWS::Lambda::EventSourceMapping'
        ? r.Properties.DestinationConfig?.OnFailure?.Destination
        : r.Type === 'AWS::SQS::Queue'
          ? r.Properties.RedrivePolicy?.deadLetterTargetArn
          : undefined;
    const queue = arn?.['Fn::GetAtt']?.[0];
    if (queue && resources[queue]?.Type === 'AWS::SQS::Queue') queues.add(queue);
  }
  for (const queue of [...queues].sort()) {
    added[`${queue}DepthAlarm`] = alarm(topic, {
      AlarmName: `${prefix}-${queue}-depth`,
      AlarmDescription: `Work failed every retry and was sent to ${queue} (an asynchronous invocation, a stream batch or a queued delivery): it did not happen. What to do: ${runbook('failed-asynchronous-invocations')}`,
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }], Statistic: 'Maximum', Period: 300, Threshold: 1,
    });
  }
  for (const a of ALARMS) {
    added[`${a.id}Alarm`] = alarm(topic, {
      AlarmName: `${prefix}-${a.anchor}`,
      AlarmDescription: `${a.what} What to do: ${runbook(a.anchor)}`,
      Namespace: settings.namespace, MetricName: a.metric, Statistic: a.stat, Period: a.period, Threshold: a.threshold,
    });
  }
  added.OperationsDashboard = dashboard(settings, functions, tables, [...queues].sort());
  return added;
}

function dashboard(settings, functions, tables, queues) {
  const ns = settings.namespace;
  const own = (title, names, stat = 'Sum') => ({ title, metrics: names.map((n) => [ns, n, { stat }]) });
  const widgets = [
    own('Deliveries by outcome', ['DeliveryProcessed', 'DeliveryDuplicate', 'DeliveryUnmapped', 'DeliveryIgnored', 'DeliveryTest', 'DeliveryQuarantined']),
    own('Refused deliveries and 5xx', ['DeliveryRefused401', 'DeliveryRefused404', 'DeliveryRefused413', 'DeliveryRefused415', 'DeliveryRefused503', 'Webhook5xx']),
    { title: 'Webhook latency (ms)', metrics: [[ns, 'WebhookLatency', { stat: 'p50' }], [ns, 'WebhookLatency', { stat: 'p99' }]] },
    own('Reconciliation', ['ReconciliationSucceeded', 'ReconciliationFailed', 'ReconciliationLostWebhooks', 'WebhookSilence']),
    own('Oldest purchase waiting for a mapping (s)', ['WaitingForMappingAgeSeconds'], 'Maximum'),
    own('Feed', ['FeedDelivered', 'FeedFailed', 'FeedDead', 'FeedEndpointDisabled']),
    { title: 'Lambda errors', metrics: functions.map((id) => ['AWS/Lambda', 'Errors', 'FunctionName', `\${${id}}`, { stat: 'Sum' }]) },
    { title: 'Lambda throttles', metrics: functions.map((id) => ['AWS/Lambda', 'Throttles', 'FunctionName', `\${${id}}`, { stat: 'Sum' }]) },
    { title: 'DynamoDB throttle events', metrics: tables.flatMap((id) => ['ReadThrottleEvents', 'WriteThrottleEvents'].map((m) => ['AWS/DynamoDB', m, 'TableName', `\${${id}}`, { stat: 'Sum' }])) },
    { title: 'Failed asynchronous invocations (queue depth)', metrics: queues.map((id) => ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', `\${${id}.QueueName}`, { stat: 'Maximum' }]) },
  ].map((w, i) => ({ type: 'metric', x: (i % 2) * 12, y: Math.floor(i / 2) * 6, width: 12, height: 6, properties: { title: w.title, region: '${AWS::Region}', view: 'timeSeries', period: 300, metrics: w.metrics } }));
  return { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: settings.alarmPrefix, DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) } } };
}

/** The HTTP API stage's throttling: every route the admin default, the webhook's routes more. */
export function throttleStage(template, settings) {
  const stage = template.Resources.HttpApiStage;
  if (!stage) return;
  const { admin, webhook } = settings.throttling;
  stage.Properties.DefaultRouteSettings = { ...stage.Properties.DefaultRouteSettings, ThrottlingBurstLimit: Number(admin.burst), ThrottlingRateLimit: Number(admin.rate) };
  const webhookRoutes = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey.endsWith(' /schools/{schoolId}/webhooks/hotmart'));
  stage.Properties.RouteSettings = Object.fromEntries(webhookRoutes.map(([, r]) => [r.Properties.RouteKey, { ThrottlingBurstLimit: Number(webhook.burst), ThrottlingRateLimit: Number(webhook.rate) }]));
  // A route's settings may only name a route that exists already.
  stage.DependsOn = [...new Set([...[stage.DependsOn ?? []].flat(), ...webhookRoutes.map(([id]) => id)])];
}

/** Active tracing needs the function's role to write to X-Ray (which has no resource-level permissions: AWS's managed policy). */
export function allowTracing(template) {
  const policy = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess' };
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || r.Properties.TracingConfig?.Mode !== 'Active') continue;
    const role = template.Resources[r.Properties.Role?.['Fn::GetAtt']?.[0]];
    if (!role) continue;
    const arns = role.Properties.ManagedPolicyArns ?? [];
    if (!arns.some((a) => JSON.stringify(a) === JSON.stringify(policy))) role.Properties.ManagedPolicyArns = [...arns, policy];
  }
}

export default class OperationsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.addOperations(),
    };
  }

  addOperations() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const settings = this.serverless.service.custom.operations;
    throttleStage(template, settings);
    allowTracing(template);
    Object.assign(template.Resources, operationsResources(template, settings));
  }
}
