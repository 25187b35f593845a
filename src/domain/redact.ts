// What logs may say about a reader: never a whole address, never a link's token.

// The local part as logs meet it (no '/', '?', '=' or '%': those end a path segment or a query value).
const ADDRESS = /([A-Za-z0-9!#$&'*+^_`{|}~.-])[A-Za-z0-9!#$&'*+^_`{|}~.-]*(@|%40)([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;

/** Masks every address in a text: `bob@example.org` becomes `b***@example.org` (the domain helps find a provider's fault). */
export function maskAddresses(text: string): string {
  return text.replace(ADDRESS, (_m, first: string, at: string, domain: string) => `${first}***${at === '@' ? '@' : '%40'}${domain}`);
}

// Paths whose next segment is a signed link token: logged by its first characters only.
const TOKEN_PATH = /^(\/(?:confirm|unsubscribe|preferences|data|reading-list|feedback)\/)([^/?#]+)/;

/** A request URL as logs may keep it: tokens cut to their first characters, addresses masked. */
export function redactUrl(url: string): string {
  const cut = url.replace(TOKEN_PATH, (_m, head: string, token: string) => `${head}${token.slice(0, 6)}…`);
  return maskAddresses(cut);
}
