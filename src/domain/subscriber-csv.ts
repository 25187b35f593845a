import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { parseSignup, type SignupInput } from './signup.js';

/** The columns of the subscriber CSV, in the order the export writes them; an import reads the same names. */
const CSV_COLUMNS = ['email', 'status', 'frequency', 'topics', 'send_hour', 'send_day', 'timezone', 'created_at', 'confirmed_at', 'unsubscribed_at'] as const;

/** The columns an import reads; any other column (such as the export's status or dates) is ignored. */
const IMPORTED = new Set(['email', 'frequency', 'topics', 'send_hour', 'send_day', 'timezone']);

/** How many rows one import may hold: a bigger list goes in several files. */
const MAX_IMPORT_ROWS = 50_000;

export interface CsvRow {
  /** The line in the file where the record starts (the header is line 1). */
  line: number;
  input: SignupInput;
}
export interface CsvProblem {
  line: number;
  error: string;
}

/**
 * Reads a subscriber CSV (a header row naming at least `email`). Topics are separated by `;` or `,` inside
 * their cell. Each record is checked like a signup; a bad one is reported by its line and left out.
 */
export function parseSubscriberCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } | { error: string } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_')),
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
      max_record_size: 8192,
      to: MAX_IMPORT_ROWS,
    }) as typeof records;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    return { error: `The file is not CSV that can be read${e.lines ? ` (line ${e.lines})` : ''}: ${e.message.slice(0, 200)}` };
  }
  if (!records.length) return { error: 'The file has no rows: the first line must name the columns, with at least "email".' };
  if (!('email' in records[0]!.record)) return { error: 'The first line must name the columns, with at least "email".' };
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const seen = new Set<string>();
  for (const { record, info } of records) {
    // info.lines is the line where the record ends; a record spans one line unless a quoted cell broke it.
    const line = info.lines;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(record)) if (IMPORTED.has(k) && v !== '' && v !== undefined) fields[k] = importedCell(v);
    if (fields.topics) fields.topics = fields.topics.replaceAll(';', ',');
    const parsed = parseSignup(fields);
    if (!parsed.ok) {
      problems.push({ line, error: parsed.error });
      continue;
    }
    const key = parsed.value.email.toLowerCase();
    if (seen.has(key)) {
      problems.push({ line, error: `${parsed.value.email} appears earlier in the file.` });
      continue;
    }
    seen.add(key);
    rows.push({ line, input: parsed.value });
  }
  return { rows, problems };
}

type Exported = {
  email: string;
  status: string;
  frequency: string;
  topics: string[];
  sendHour: number;
  sendDay: number;
  timezone: string;
  createdAt: Date | string;
  confirmedAt: Date | string | null;
  unsubscribedAt: Date | string | null;
};

const iso = (v: Date | string | null) => (v ? new Date(v).toISOString() : '');

// A cell a spreadsheet would run as a formula (OWASP's CSV injection rule): it starts with =, +, -, @, a tab
// or a carriage return. Exported with a leading apostrophe, which spreadsheets show as text; an import
// takes the apostrophe off again.
const FORMULA = /^[=+\-@\t\r]/;
/** A cell as a CSV export writes it: never the start of a formula. */
const csvCell = (v: string) => (FORMULA.test(v) ? `'${v}` : v);
/** A cell as an import reads it: the apostrophe an export put before a formula character taken off. */
const importedCell = (v: string) => (v.startsWith("'") && FORMULA.test(v.slice(1)) ? v.slice(1) : v);

/** CSV text for some readers; `header` for the first page only. No cell, whichever column, starts a spreadsheet formula. */
export function subscribersToCsv(rows: Exported[], header: boolean): string {
  return stringify(
    rows.map((r) => [r.email, r.status, r.frequency, r.topics.join('; '), r.sendHour, r.sendDay, r.timezone, iso(r.createdAt), iso(r.confirmedAt), iso(r.unsubscribedAt)].map((v) => String(v))),
    { header, columns: [...CSV_COLUMNS], cast: { string: csvCell } },
  );
}
