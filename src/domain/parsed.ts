/** What a validator returns: the clean value, or a message a person understands. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };
