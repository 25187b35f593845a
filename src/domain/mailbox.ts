/**
 * The inbox an address delivers to, for throttling: case folded, the `+tag` of a sub-address dropped
 * (RFC 5233), and for Gmail the dots too, since Gmail ignores them. `Flood+1@X.org` and `flood+2@x.org`
 * are one inbox. Only used to count mail per inbox, never to send.
 */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase().replace(/\.$/, '');
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}
