// The same two lines through Powertools Logger and Powertools Metrics (EMF).
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';

const logger = new Logger({ serviceName: 'bench', logLevel: 'INFO' });
const metrics = new Metrics({ namespace: 'bench/local', serviceName: 'bench' });
export function line(i: number) {
  logger.appendKeys({ requestId: `r-${i}` });
  logger.info('delivery handled', { eventId: 'e', event: 'PURCHASE_APPROVED', status: 'processed' });
  metrics.addMetric('DeliveryProcessed', MetricUnit.Count, 1);
  metrics.addMetric('WebhookLatency', MetricUnit.Milliseconds, 3);
  metrics.publishStoredMetrics();
}
