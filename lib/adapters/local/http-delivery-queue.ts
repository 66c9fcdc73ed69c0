import type { DeliveryMessage, DeliveryQueue } from '../../services/ports.ts';

/**
 * localHttpDeliveryQueue: the DeliveryQueue a function running in serverless-offline's process
 * (the feed's redrive, started by the feed's routes) uses to reach the local runtime's
 * LocalFifoQueue, which listens on 127.0.0.1 (scripts/local/feed-runtime.ts). Local runs only.
 */
export function localHttpDeliveryQueue(url: string): DeliveryQueue {
  const target = new URL(url);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') throw new Error('the local delivery queue listens on http://127.0.0.1 only');
  const post = async (path: string, payload: unknown) => {
    const response = await fetch(new URL(path, target), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    if (response.status !== 204) throw new Error(`the local delivery queue answered ${response.status}`);
  };
  return {
    send: (messages: DeliveryMessage[]) => post('send', { messages }),
    changeVisibility: (receiptHandle: string, seconds: number) => post('visibility', { receiptHandle, seconds }),
  };
}
