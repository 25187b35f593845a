// The parts of mailauth's DKIM signer papermail builds on (mail/dkim.ts): the header section parsed, the
// signed fields picked and canonicalized, and the DKIM-Signature tags laid out and folded. The package ships
// types for its top-level calls only.
declare module 'mailauth/lib/tools.js' {
  export interface ParsedHeader {
    key: string | null;
    casedKey: string | undefined;
    line: Buffer;
  }
  export interface ParsedHeaders {
    parsed: ParsedHeader[];
    original: Buffer;
  }
  export interface SigningHeaderLines {
    keys: string;
    headers: ParsedHeader[];
  }
  export function parseHeaders(buf: Buffer): ParsedHeaders;
  export function getSigningHeaderLines(parsed: ParsedHeader[], fieldNames: string): SigningHeaderLines;
  export function formatSignatureHeaderLine(type: 'DKIM', values: Record<string, unknown>, folded: boolean): string;
}
declare module 'mailauth/lib/dkim/header/index.js' {
  import type { SigningHeaderLines } from 'mailauth/lib/tools.js';
  export function generateCanonicalizedHeader(
    type: 'DKIM',
    signingHeaderLines: SigningHeaderLines,
    options: { signingDomain: string; selector: string; algorithm: string; canonicalization: string; bodyHash: string; signTime?: Date; timestamp?: number | false; expiration?: number | false },
  ): { canonicalizedHeader: Buffer; dkimHeaderOpts: Record<string, unknown> };
}
