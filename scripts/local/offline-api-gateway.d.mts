export function gatewayErrorResponse(error: unknown): { statusCode: 500 | 503; headers: Record<string, string>; body: string; isBase64Encoded: false };
export default class OfflineApiGateway {
  constructor(serverless: unknown, options: unknown, utils?: { log?: unknown });
  hooks: Record<string, () => Promise<void>>;
}
