// The parts of citation-js papermail uses (the packages ship no types).
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: object[]);
    format(format: 'bibtex' | 'biblatex' | 'ris', options?: { format?: 'text' }): string;
  }
}
declare module '@citation-js/plugin-bibtex';
declare module '@citation-js/plugin-ris';
declare module '@citation-js/name' {
  export function parse(name: string): { given?: string; family?: string; literal?: string; 'non-dropping-particle'?: string; 'dropping-particle'?: string; suffix?: string };
}
