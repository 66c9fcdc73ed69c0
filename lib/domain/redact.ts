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
