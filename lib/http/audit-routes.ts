import { EmailPathSegmentSchema } from '../domain/email.ts';
import type { AuditChange } from '../services/audit-ports.ts';
import { SCHOOL_PATH } from './school-routes.ts';

/**
 * What a describer sees of a write that succeeded: its path parameters, whether it had a body (never
 * the body: a replay's holds personal data, a token or credentials request a secret), its status
 * and its JSON answer (the answers hold no secret: see each route).
 */
export type AuditedRequest = {
  path: Record<string, string | undefined>;
  hasBody: boolean;
  status: number;
  answer: Record<string, any> | undefined;
  /** Only the body's `bodyKeys` the describer declared (keys that hold neither a secret nor personal data). */
  body?: Record<string, unknown>;
};
export type DescribeWrite = ((request: AuditedRequest) => AuditChange) & { bodyKeys?: readonly string[] };
/** A describer that also sees these keys of the (validated) body: nothing else of it. */
const seeing = (bodyKeys: readonly string[], describe: (request: AuditedRequest) => AuditChange): DescribeWrite => Object.assign(describe, { bodyKeys });

const S = SCHOOL_PATH;
const ids = (path: AuditedRequest['path'], ...names: string[]) =>
  Object.fromEntries(names.filter((name) => path[name] !== undefined).map((name) => [name, path[name]!]));
const emailOf = (path: AuditedRequest['path']) => EmailPathSegmentSchema.parse(path.email);

const putMapping: DescribeWrite = ({ path, status, answer }) => ({
  action: path.offerCode === undefined ? 'mapping.put' : 'offer.put',
  ids: ids(path, 'productId', 'offerCode'),
  change: { created: status === 201, version: answer?.version, targets: answer?.targets },
});
const deleteMapping: DescribeWrite = ({ path }) => ({ action: path.offerCode === undefined ? 'mapping.delete' : 'offer.delete', ids: ids(path, 'productId', 'offerCode'), change: { deleted: true } });
/** A feed endpoint's URL without its query or user info (either could carry a credential of the platform). */
const endpointUrl = (url: unknown) => {
  try {
    const parsed = new URL(String(url));
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
};
const manualTarget = (path: AuditedRequest['path']) => ids(path, 'targetType', 'targetId');

/**
 * Every administrative write and what its record says, by route key. Auditing another route is one
 * line here (and `audited(…)` in its function's handler): a route not listed leaves no record.
 */
export const AUDITED_ROUTES: Record<string, DescribeWrite> = {
  [`PUT ${S}`]: ({ status, answer }) => ({ action: status === 201 ? 'school.create' : 'school.rename', ids: {}, change: { name: answer?.name } }),
  [`DELETE ${S}`]: () => ({ action: 'school.delete', ids: {}, change: { status: 'deleted' } }),
  // The token never: only that one was set (the one before it stays accepted until dropped).
  [`PUT ${S}/hottok`]: () => ({ action: 'token.set', ids: {}, change: { token: 'set', previousToken: 'kept' } }),
  [`DELETE ${S}/hottok/previous`]: () => ({ action: 'token.dropPrevious', ids: {}, change: { previousToken: 'dropped' } }),
  // The answer shows the clientId and sandbox, never the secret.
  [`PUT ${S}/hotmart-credentials`]: ({ answer }) => ({ action: 'credentials.set', ids: {}, change: { clientId: answer?.clientId, sandbox: answer?.sandbox } }),
  [`DELETE ${S}/hotmart-credentials`]: () => ({ action: 'credentials.delete', ids: {}, change: { credentials: 'removed' } }),
  [`PUT ${S}/mappings/{productId}`]: putMapping,
  [`DELETE ${S}/mappings/{productId}`]: deleteMapping,
  [`PUT ${S}/mappings/{productId}/offers/{offerCode}`]: putMapping,
  [`DELETE ${S}/mappings/{productId}/offers/{offerCode}`]: deleteMapping,
  // The note is free text that may name the student: not kept.
  [`PUT ${S}/students/{email}/enrollments/{targetType}/{targetId}`]: ({ path, status, answer }) => ({
    action: 'manualGrant.put',
    ids: manualTarget(path),
    email: emailOf(path),
    change: { created: status === 201, until: answer?.manual?.until ?? null },
  }),
  [`DELETE ${S}/students/{email}/enrollments/{targetType}/{targetId}`]: ({ path }) => ({ action: 'manualGrant.delete', ids: manualTarget(path), email: emailOf(path), change: { removed: true } }),
  // The erased e-mail is not kept (that would undo the erasure for a year): the pseudonym it became is.
  [`DELETE ${S}/students/{email}`]: ({ answer }) => ({ action: 'student.erase', ids: { pseudonym: String(answer?.pseudonym) }, change: { erased: answer?.erased } }),
  [`POST ${S}/quarantine/{id}/replay`]: ({ path, hasBody, answer }) => ({
    action: 'quarantine.replay',
    ids: { quarantineId: path.id!, ...(answer?.eventId ? { eventId: String(answer.eventId) } : {}) },
    change: { corrected: hasBody, outcome: answer?.status },
  }),
  [`POST ${S}/events/{eventId}/replay`]: ({ path, answer }) => ({ action: 'event.replay', ids: ids(path, 'eventId'), change: { outcome: answer?.status } }),
  // The feed (README, "Receive enrollment events"): its secret never, only that one was made, kept or rotated.
  [`PUT ${S}/feed`]: ({ status, answer }) => ({
    action: status === 201 ? 'feed.create' : 'feed.update',
    ids: {},
    change: { url: endpointUrl(answer?.url), types: answer?.types, secret: status === 201 ? 'created' : 'kept' },
  }),
  [`DELETE ${S}/feed`]: () => ({ action: 'feed.delete', ids: {}, change: { endpoint: 'removed' } }),
  [`POST ${S}/feed/secret`]: ({ answer }) => ({ action: 'feed.rotateSecret', ids: {}, change: { secret: 'rotated', previousValidUntil: answer?.previousValidUntil ?? null } }),
  // POST …/feed/ping is not a write (it sends a ping event and stores nothing): no record.
  // A replay names its range or its event ids (from the body: ids, never an event's body).
  [`POST ${S}/feed/replay`]: seeing(['eventIds'], ({ answer, body }) => ({
    action: 'feed.replay',
    ids: { replay: String(answer?.replay) },
    change: Array.isArray(body?.eventIds) ? { eventIds: body.eventIds } : { from: answer?.from, to: answer?.to ?? null },
  })),
  [`POST ${S}/reconciliations`]: ({ answer }) => ({ action: 'reconciliation.start', ids: { runId: String(answer?.id) }, change: { from: answer?.from, to: answer?.to } }),
};
