/** What a reader's digest adds to their list: their local day, their topics, and why a paper ranks high. */
export interface ReaderView {
  day: string;
  topics?: string[];
  /** Paper id -> the title of the liked paper that lifted it. */
  because?: Record<string, string>;
}
