import { get, type Agent } from 'node:https';
import SnsPayloadValidator from 'sns-payload-validator';

/** Amazon SNS's own hosts, and no other: the signing certificate and the SubscribeURL must be on one. */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const TIMEOUT_MS = 10_000;

/** Amazon SNS: message signatures, and the subscription handshake. */
export interface SnsClient {
  /** Resolves when the message is signed by Amazon SNS; rejects with the reason otherwise. */
  verify(message: Record<string, unknown>): Promise<void>;
  /** GETs a SubscribeURL, which must be https on sns.<region>.amazonaws.com. */
  confirm(url: string): Promise<'confirmed' | { invalid: string } | { failed: string }>;
}

const withTimeout = <T>(p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what} took more than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS).unref())]);

/** Why a SubscribeURL is not one to fetch, or null when it is. */
function subscribeUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'The SubscribeURL is not a URL.';
  }
  if (url.protocol !== 'https:' || !SNS_HOST.test(url.hostname) || url.port || url.username || url.password)
    return 'The SubscribeURL must be an https URL on sns.<region>.amazonaws.com.';
  return null;
}

/**
 * Amazon SNS, verified: each message's signature (SignatureVersion 1, SHA1, or 2, SHA256) is checked by
 * sns-payload-validator against the certificate at its SigningCertURL, which must be
 * https://sns.<region>.amazonaws.com/SimpleNotificationService-….pem; certificates are cached. `agent` is
 * the https agent of both fetches (tests give one that reaches a local server with a certificate of their own).
 */
export function createSnsClient(opts: { agent?: Agent } = {}): SnsClient {
  const validator = new SnsPayloadValidator({ useCache: true, maxCerts: 100, ...(opts.agent ? { requestAgent: opts.agent } : {}) });
  return {
    async verify(message) {
      await withTimeout(validator.validate(message as unknown as SnsPayloadValidator.SnsPayload), 'Fetching the SNS signing certificate');
    },
    async confirm(url) {
      const problem = subscribeUrlProblem(url);
      if (problem) return { invalid: problem };
      return withTimeout(
        new Promise<void>((resolve, reject) => {
          const req = get(url, { agent: opts.agent, timeout: TIMEOUT_MS }, (res) => {
            res.resume();
            if (res.statusCode === 200) resolve();
            else reject(new Error(`HTTP ${res.statusCode}`));
          });
          req.on('timeout', () => req.destroy(new Error('no answer')));
          req.on('error', reject);
        }),
        'Confirming the SNS subscription',
      ).then(
        () => 'confirmed' as const,
        (err: Error) => ({ failed: err.message }),
      );
    },
  };
}
