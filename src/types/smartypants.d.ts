// smartypants ships no types: the one function used here.
declare module 'smartypants' {
  /** Educates quotes, dashes and ellipses per `attr` ("qBD": quotes, both backtick styles, old-school dashes), in Unicode. */
  export function smartypantsu(text: string, attr?: string | number): string;
}
