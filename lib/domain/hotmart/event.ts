/**
 * One Hotmart delivery, reduced to what enrollment needs. v2 JSON bodies and v1 form
 * postbacks both become this shape (webhook-v2.ts, webhook-v1.ts), and so do the sales and
 * subscriptions reconciliation reads from the REST API; personal data beyond e-mail and name
 * (document/CPF, phones, address, IP), producer, commissions, affiliates and the body hottok are
 * dropped at this boundary, so nothing downstream can store them.
 */
export type HotmartEvent = {
  id: string;
  event: string;
  /** Webhook version; `api` for an event reconstructed from Hotmart's REST API by reconciliation. */
  version: '2.0.0' | '1.0.0' | 'api';
  /** Event time at Hotmart, epoch ms. */
  creationDate: number;
  productId?: string;
  productName?: string;
  offerCode?: string;
  transaction?: string;
  purchaseStatus?: string;
  buyerEmail?: string;
  buyerName?: string;
  subscriberCode?: string;
  planId?: string;
  planName?: string;
  recurrenceNumber?: number;
  approvedDate?: number;
  dateNextCharge?: number;
  /** SUBSCRIPTION_CANCELLATION: when the subscriber cancelled. */
  cancellationDate?: number;
  /** SWITCH_PLAN: the offer of the plan left behind. */
  previousOfferCode?: string;
  /** Hotmart panel "send test" delivery (product id 0). */
  test: boolean;
};

export type ParseResult = { ok: true; event: HotmartEvent } | { ok: false; reason: string };
