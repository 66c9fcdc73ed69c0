// Today's logger and EMF metrics (lib/logger.ts, lib/observability/metrics.ts): one log line, one metrics line.
import { createLogger, withInvocation } from '../../lib/logger.ts';
import { count, createMetrics, ms } from '../../lib/observability/metrics.ts';

const logger = createLogger('bench', 'INFO');
const metrics = createMetrics('bench/local', 'bench');
export function line(i: number) {
  withInvocation(`r-${i}`, () => {
    logger.info('delivery handled', { eventId: 'e', event: 'PURCHASE_APPROVED', status: 'processed' });
    metrics.emit({ DeliveryProcessed: count(), WebhookLatency: ms(3) }, { statusCode: 200 });
  });
}
