import * as z from 'zod';
import type { RouteDoc } from '#lib/http/api-doc.ts';
import { errors } from '#lib/http/api-doc.ts';
import { DeliveryAppliedSchema, DeliveryQuarantinedSchema } from '#lib/http/view-schemas.ts';

/**
 * The webhook's routes, described apart from its code: the webhook's handler imports nothing of
 * this (its bundle and cold start stay as they are).
 */
const path = '/schools/{schoolId}/webhooks/hotmart';

/** Hotmart's webhook v2.0.0 body; one that cannot be read as an event is kept in quarantine (202), not refused. */
const HotmartV2Body = z.looseObject({
  id: z.string(),
  event: z.string(),
  version: z.string(),
  creation_date: z.number(),
  data: z.looseObject({}),
});

/** A v1.0.0 postback: form fields, the token among them. */
const HotmartV1Form = z.looseObject({ hottok: z.string().describe('The school\'s token, when no X-HOTMART-HOTTOK header is sent') });

export const routes: RouteDoc[] = [
  {
    tags: ['webhook'],
    auth: 'hottok',
    method: 'POST',
    path,
    summary: "Receive a Hotmart webhook delivery for the school (configure this URL in Hotmart's Webhook tool)",
    description:
      'No IAM: the token Hotmart sends is checked against the school\'s (current or previous). v2.0.0 sends it as the X-HOTMART-HOTTOK header; a v1.0.0 form postback as its `hottok` field. At most 256 KiB.',
    headers: [{ name: 'x-hotmart-hottok', description: "The school's webhook token (v2.0.0); a v1.0.0 form postback may carry it as its `hottok` field instead" }],
    body: {
      schema: HotmartV2Body,
      required: true,
      mediaTypes: { 'application/json': HotmartV2Body, 'application/x-www-form-urlencoded': HotmartV1Form },
    },
    responses: {
      200: { description: 'Received: processed, a duplicate, ignored, waiting for a mapping (unmapped) or a test', schema: DeliveryAppliedSchema },
      202: { description: 'Not readable as a Hotmart event: kept in quarantine', schema: DeliveryQuarantinedSchema },
      ...errors(400, 401, 404, 413, 415),
      503: { description: 'No token is set for the school yet (CONFIG.TOKEN_MISSING, so Hotmart retries), or storage unavailable', schema: errors(503)[503]!.schema },
    },
  },
  {
    tags: ['webhook'],
    auth: 'hottok',
    method: 'GET',
    path,
    summary: 'Health of the school\'s webhook: 200 only if a delivery could be accepted',
    responses: {
      200: { description: 'Up', schema: z.strictObject({ status: z.literal('ok'), message: z.string() }) },
      ...errors(400, 404),
      503: { description: 'No token is set for the school: every delivery would be refused', schema: errors(503)[503]!.schema },
    },
  },
];
