import type { HotmartEvent } from './hotmart/event.ts';
import { eventRow, transactionStatusOf } from './hotmart/vocabulary.ts';
import { planSubscription } from './subscription-plan.ts';
import { subscriptionFact } from './subscription-rules.ts';
import { planTransaction } from './transaction-rules.ts';
import type { Knowledge, Plan } from './write-plan.ts';

/**
 * Which rules an event goes to: a panel test changes nothing, an event with a subscriber code
 * follows the subscription lifecycle (subscription-plan.ts), one that moves a transaction the
 * one-time rules (transaction-rules.ts); any other is recorded.
 */

export type EventKind = 'test' | 'subscription' | 'transaction' | 'record';

export function classifyEvent(event: HotmartEvent): EventKind {
  if (event.test) return 'test';
  if (subscriptionFact(event)) return 'subscription';
  if (event.transaction !== undefined && transactionStatusOf(event.event) !== undefined) return 'transaction';
  return 'record';
}

export function planEvent(event: HotmartEvent, knowledge: Knowledge): Plan {
  const claimBusinessKey = event.transaction !== undefined && !event.test;
  switch (classifyEvent(event)) {
    case 'test':
      return { outcome: { status: 'test', detail: 'Hotmart panel test delivery (product id 0): recorded, no enrollment change' }, claimBusinessKey: false };
    case 'subscription':
      return planSubscription(event, knowledge);
    case 'transaction':
      return planTransaction(event, knowledge, claimBusinessKey);
    case 'record': {
      const known = eventRow(event.event)?.relevant === true;
      return {
        outcome: known
          ? { status: 'processed', detail: `${event.event} recorded; it changes no access` }
          : { status: 'ignored', detail: `${event.event} is not an event this service acts on; recorded` },
        claimBusinessKey,
      };
    }
  }
}

export function needsMappings(event: HotmartEvent): boolean {
  const kind = classifyEvent(event);
  return (kind === 'transaction' || kind === 'subscription') && event.productId !== undefined;
}
