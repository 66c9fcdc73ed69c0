/**
 * A local receiver of the feed, a developer's stand-in for "their platform" — run as
 * `npx hotmart-enrollments feed receive --secret whsec_…` or `npm run feed:receive -- --secret whsec_…`
 * (scripts/feed-receiver.ts). It verifies each feed delivery with the
 * `standardwebhooks` package (401 on a bad signature), prints one line per event (type, id,
 * sequence, the enrollment's e-mail, target, status and access) and answers 204 — or, for the
 * first N deliveries, the status asked for, to watch the retries. It applies the ordering rule a
 * platform would: an event whose sequence is not above the last one applied for its enrollment is
 * printed as stale. The secret is never printed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type FeedReceiverOptions = {
  secret: string;
  port?: number;
  failFirst?: number;
  failStatus?: number;
  print?: (line: string) => void;
  /** One JSON line per delivery instead of text: `{"verified":true,"note","event"}` or `{"verified":false,"id","status":401}`. */
  json?: boolean;
};
export type FeedReceiver = { url: string; close(): Promise<void> };

type Envelope = {
  id?: string;
  type?: string;
  sequence?: number;
  enrollment?: { email?: string; target?: { type?: string; id?: string }; status?: string; hasAccess?: boolean; accessUntil?: string | null };
};

export async function startFeedReceiver(options: FeedReceiverOptions): Promise<FeedReceiver> {
  const webhook = new Webhook(options.secret);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  let failuresLeft = options.failFirst ?? 0;
  const seenIds = new Set<string>();
  const applied = new Map<string, number>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8'); // verify the raw bytes, never a re-serialisation
      let event: Envelope;
      try {
        event = webhook.verify(raw, request.headers as Record<string, string>) as Envelope;
      } catch {
        const id = String(request.headers['webhook-id'] ?? '(no id)');
        print(options.json ? JSON.stringify({ verified: false, id, status: 401 }) : `rejected ${id}: bad signature or timestamp → 401`);
        response.writeHead(401).end();
        return;
      }
      if (failuresLeft > 0) {
        failuresLeft--;
        const status = options.failStatus ?? 503;
        print(options.json ? JSON.stringify({ verified: true, id: event.id, status, failedOnPurpose: true }) : `${event.type} ${event.id}: answering ${status} on purpose (${failuresLeft} more to fail)`);
        response.writeHead(status).end();
        return;
      }
      const { line, note } = describe(event, seenIds, applied);
      print(options.json ? JSON.stringify({ verified: true, note, event }) : line);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 4000, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The event's line, and whether the ordering rule would apply it (a copy, a stale sequence: not). */
function describe(event: Envelope, seenIds: Set<string>, applied: Map<string, number>): { line: string; note: 'copy' | 'stale' | null } {
  const copy = event.id !== undefined && seenIds.has(event.id);
  if (event.id !== undefined) seenIds.add(event.id);
  const enrollment = event.enrollment;
  if (!enrollment) return { line: `${event.type} ${event.id}${copy ? ' (a copy: already received)' : ''}`, note: copy ? 'copy' : null };
  const target = `${enrollment.target?.type}:${enrollment.target?.id}`;
  const key = `${enrollment.email} ${target}`;
  const last = applied.get(key) ?? 0;
  const stale = typeof event.sequence === 'number' && event.sequence <= last;
  if (!stale && typeof event.sequence === 'number') applied.set(key, event.sequence);
  const access = `hasAccess=${enrollment.hasAccess}${enrollment.accessUntil ? ` until ${enrollment.accessUntil}` : ''}`;
  const note = copy ? ' (a copy: already received)' : stale ? ` (stale: sequence ${last} already applied, ignored)` : '';
  return { line: `${event.type} ${event.id} seq=${event.sequence} ${enrollment.email} ${target} ${enrollment.status} ${access}${note}`, note: copy ? 'copy' : stale ? 'stale' : null };
}
