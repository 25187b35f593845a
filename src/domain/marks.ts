// The marks of per-reader words and links in a message composed once: the renderer puts them in the
// parts it renders, and the mail composer fills them for each reader. Lower-case letters only, so that
// they survive every MIME encoding unchanged.

/** Per-reader values substituted into a prebuilt message. */
export interface Slots {
  to: string;
  messageId: string;
  date: string;
  /** The reader's one-click unsubscribe URL (body and List-Unsubscribe header). */
  unsubscribeUrl?: string;
  /** The reader's preference center. */
  preferencesUrl?: string;
  /** The link a transactional mail asks the reader to open (confirm, and the like). */
  actionUrl?: string;
}
export type SlotName = keyof Slots;

/** Placeholders that survive MIME encoding unchanged: lower-case letters only. */
export const SLOT: Readonly<Record<SlotName, string>> = {
  to: 'pmslotto@pmslot.invalid',
  messageId: 'pmslotmsgid@pmslot.invalid',
  date: 'pmslotdate',
  unsubscribeUrl: 'https://pmslot.invalid/pmslotunsubscribeurl',
  preferencesUrl: 'https://pmslot.invalid/pmslotpreferencesurl',
  actionUrl: 'https://pmslot.invalid/pmslotactionurl',
};

/**
 * The marks of a digest's per-reader words (src/digest/digest-parts.ts), also lower-case letters only.
 * `subject` is the Subject header in the frame and the HTML title in the body; `textBody` and `htmlBody`
 * take the reader's assembled, already encoded, bodies; `feedback` is the link of the entry it sits in.
 */
export const VIEW = {
  subject: 'pmvsubject',
  preview: 'pmvpreview',
  dateLabel: 'pmvdatelabel',
  intro: 'pmvintro',
  topicLine: 'pmvtopicline',
  rank: 'pmvrank',
  because: 'pmvbecause',
  feedback: 'https://pmslot.invalid/pmvfeedback',
  textBody: 'pmvtextbody',
  htmlBody: 'pmvhtmlbody',
} as const;
export type ViewName = keyof typeof VIEW;
