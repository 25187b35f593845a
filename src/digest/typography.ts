import { smartypantsu } from 'smartypants';

/**
 * Paper titles and abstracts arrive with LaTeX habits: ``quotes'', `single' quotes, -- and --- dashes, and
 * ~ ties ("models~(DMs)"). SmartyPants turns quotes and dashes into typography (Unicode, not entities; the
 * text is escaped later, as always); a tie between two words becomes a no-break space. A tilde that starts a
 * number ("~10%", approximately) is left alone.
 */
export function typeset(text: string): string {
  return smartypantsu(text, 'qBD').replace(/(\S)~(?=[^\s\d~])/g, '$1\u00a0');
}
