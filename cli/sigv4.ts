import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined };

export type SignableRequest = { method: string; url: URL; headers: Record<string, string>; body?: string | undefined };

/**
 * Signs a request with AWS Signature Version 4 (@smithy/signature-v4, the SDK's own signer):
 * the headers to send, `authorization` and `x-amz-date` (and `x-amz-security-token`) included.
 * `signingDate` only for tests against AWS's recorded examples.
 */
export async function signRequest(
  request: SignableRequest,
  options: { credentials: Credentials; region: string; service: string; signingDate?: Date },
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: options.service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true, applyChecksum: false });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of request.url.searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query,
      headers: { host: request.url.host, ...request.headers },
      body: request.body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}
