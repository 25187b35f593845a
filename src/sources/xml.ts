import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { SourceError } from './paper.js';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  arxiv: 'http://arxiv.org/schemas/atom',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;

/** Parses XML with namespaces, or throws a SourceError naming the source and the position. */
export function parseXml(text: string, source: string): Document {
  let firstError: { message: string; line?: number; column?: number } | null = null;
  const parser = new DOMParser({
    onError(level, message, context) {
      if (level === 'warning' || firstError) return;
      const locator = (context as { locator?: { lineNumber?: number; columnNumber?: number } } | undefined)?.locator;
      firstError = { message: String(message).split('\n')[0]!, line: locator?.lineNumber, column: locator?.columnNumber };
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (err) {
    const e = err as { message?: string; locator?: { lineNumber?: number; columnNumber?: number } };
    firstError ??= { message: String(e.message ?? err).split('\n')[0]!, line: e.locator?.lineNumber, column: e.locator?.columnNumber };
    doc = null as unknown as Document;
  }
  const fault = firstError as { message: string; line?: number; column?: number } | null;
  if (fault || !doc?.documentElement) {
    const where = fault?.line ? { line: fault.line, column: fault.column ?? 1 } : undefined;
    throw new SourceError(source, `not well-formed XML: ${fault?.message.replace(/^\[xmldom [^\]]*\]\s*/, '') ?? 'no root element'}`, where);
  }
  return doc;
}

/** Direct children of `el` with this namespace and local name: matched by namespace, never by prefix. */
export function children(el: Element, ns: string | null, name: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === name && ((n as Element).namespaceURI ?? null) === ns) out.push(n as Element);
  }
  return out;
}

/** Text of the first such child, or ''. */
export function childText(el: Element, ns: string | null, name: string): string {
  return children(el, ns, name)[0]?.textContent ?? '';
}
