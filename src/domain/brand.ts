/** The newsletter's name and look (NEWSLETTER_NAME, LOGO_URL, ACCENT_COLOR, FOOTER_TEXT, POSTAL_ADDRESS). */
export interface Brand {
  readonly name: string;
  /** The name as a DNS label, for List-Id and Feedback-ID: "Papers Weekly" is papers-weekly. */
  readonly slug: string;
  readonly logoUrl: string | null;
  readonly accent: string;
  readonly footer: string | null;
  /** The sender's postal address (CAN-SPAM), in every digest's footer. */
  readonly postalAddress: string | null;
}

/** The name as a DNS label: lower case letters, digits and hyphens. */
export const slugOf = (name: string) =>
  name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'newsletter';

export const DEFAULT_BRAND: Brand = Object.freeze({ name: 'papermail', slug: 'papermail', logoUrl: null, accent: '#0b57d0', footer: null, postalAddress: null });
