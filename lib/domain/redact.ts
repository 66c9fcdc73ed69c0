/**
 * Personal and secret fields that are never kept, wherever they appear in a Hotmart body:
 * the token, documents (CPF/CNPJ), phones, addresses, IPs, and producer/commission/affiliate data.
 */
const DROPPED_JSON_KEYS = new Set([
  'hottok',
  'document',
  'document_type',
  'checkout_phone',
  'checkout_phone_code',
  'phone',
  'address',
  'buyer_ip',
  'producer',
  'commissions',
  'affiliates',
]);

const DROPPED_FORM_KEY = /^(hottok|doc|doc_type|phone.*|address.*|producer.*|cms_.*|aff.*|buyer_ip|hotkey)$/;

function dropKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !DROPPED_JSON_KEYS.has(key))
      .map(([key, inner]) => [key, dropKeys(inner)]),
  );
}

/** A raw body that could not be understood, with the token and personal data removed. */
export function redactRawBody(body: string, mediaType: 'json' | 'form'): string {
  if (mediaType === 'form') {
    const form = new URLSearchParams(body);
    for (const key of [...form.keys()]) if (DROPPED_FORM_KEY.test(key)) form.delete(key);
    return form.toString();
  }
  try {
    return JSON.stringify(dropKeys(JSON.parse(body)));
  } catch {
    // Not JSON: blank the value of every dropped key we can still recognise.
    let redacted = body;
    for (const key of DROPPED_JSON_KEYS) {
      redacted = redacted.replace(new RegExp(`("${key}"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\]]*)`, 'g'), '$1"[removed]"');
    }
    return redacted;
  }
}

/**
 * A body cut to at most `maxBytes` of UTF-8, at a character boundary (and, in a form, not inside
 * a %XX escape), saying whether it was cut and how large it was. Redaction can grow a body (a form
 * re-encoded escapes every byte it did not need to), and a stored item must stay far below
 * DynamoDB's 400 KB.
 */
export function boundBody(body: string, maxBytes: number, mediaType: 'json' | 'form'): { body: string; truncated?: true; originalBytes?: number } {
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= maxBytes) return { body };
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // never split a multi-byte character
  let cut = bytes.subarray(0, end).toString('utf8');
  if (mediaType === 'form') cut = cut.replace(/%[0-9a-fA-F]?$/, '');
  return { body: cut, truncated: true, originalBytes: bytes.length };
}

/** What an erasure replaces in a quarantined body: the name fields next to the buyer's e-mail. */
const NAME_KEYS = new Set(['name', 'first_name', 'last_name', 'full_name']);
export const ERASED_NAME = '[erased]';
const RAW_NAME_FIELD = new RegExp(`("(?:${[...NAME_KEYS].join('|')})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'g');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` in any letter case (and, in raw JSON, with any character written as a \uXXXX escape). */
function spelling(text: string, jsonEscapes: boolean): RegExp {
  const chars = [...text.normalize('NFC')].map((ch) => {
    const forms = new Set([ch, ch.toLowerCase(), ch.toUpperCase()]);
    const alternatives = [...forms].flatMap((form) => [
      escapeRegExp(form),
      ...(jsonEscapes && form.length === 1 ? [`\\\\u${form.charCodeAt(0).toString(16).padStart(4, '0')}`] : []),
    ]);
    return `(?:${alternatives.join('|')})`;
  });
  return new RegExp(chars.join(''), 'giu');
}

/**
 * A quarantined body with one buyer's e-mail replaced by a pseudonym — whatever its letter case,
 * Unicode form or JSON escaping — and, where it holds that e-mail, the names beside it and the
 * names `names` gave for it replaced by "[erased]". Undefined when the body does not hold the e-mail.
 */
export function eraseFromBody(body: string, mediaType: 'json' | 'form', email: string, names: readonly string[], pseudonym: string): string | undefined {
  const emailPattern = spelling(email, false);
  const holds = (value: string) => value.normalize('NFC').search(emailPattern) >= 0;
  const scrub = (value: string) => {
    let text = value.normalize('NFC').replace(emailPattern, pseudonym);
    for (const name of names) text = text.replace(spelling(name, false), ERASED_NAME);
    return text;
  };

  if (mediaType === 'form') {
    const form = new URLSearchParams(body);
    if (![...form.values()].some(holds)) return undefined;
    const erased = new URLSearchParams();
    for (const [key, value] of form) erased.append(key, NAME_KEYS.has(key) ? ERASED_NAME : scrub(value));
    return erased.toString();
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON (or cut): erase what can be recognised in the raw text, escapes included.
    const text = body.normalize('NFC');
    if (text.search(spelling(email, true)) < 0) return undefined;
    let erased = text.replace(spelling(email, true), pseudonym);
    for (const name of names) erased = erased.replace(spelling(name, true), ERASED_NAME);
    // Which object a name belongs to cannot be told here: every name field goes.
    return erased.replace(RAW_NAME_FIELD, `$1"${ERASED_NAME}"`);
  }
  if (!holds(JSON.stringify(parsed))) return undefined;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const owner = entries.some(([, inner]) => typeof inner === 'string' && holds(inner));
    return Object.fromEntries(entries.map(([key, inner]) => [scrub(key), owner && NAME_KEYS.has(key) && typeof inner === 'string' ? ERASED_NAME : walk(inner)]));
  };
  return JSON.stringify(walk(parsed));
}

/**
 * The buyer's e-mail a quarantined body holds, found leniently (it is quarantined because it could
 * not be understood): `data.buyer.email` of a JSON body, else the first `"email": "…"` of its raw
 * text, or a form's `email` field. Undefined when none is seen. It keys the student's index.
 */
export function buyerEmailOfBody(body: string, mediaType: 'json' | 'form'): string | undefined {
  if (mediaType === 'form') return new URLSearchParams(body).get('email') ?? undefined;
  try {
    const email = (JSON.parse(body) as { data?: { buyer?: { email?: unknown } } })?.data?.buyer?.email;
    if (typeof email === 'string') return email;
  } catch {
    // not JSON (or cut): the raw text below
  }
  const raw = /"email"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body)?.[1];
  // Escapes decoded by hand, \uXXXX in any letter case included (as eraseFromBody recognises them).
  return raw?.replace(/\\u([0-9a-f]{4})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))).replace(/\\(.)/g, '$1');
}
