import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Stops a CLI with a message (exit 2): it was misused, or something it was given cannot be read. */
export function exitWith(message: string): never {
  console.error(message);
  process.exit(2);
}

/** A CLI's arguments, parsed by node:util; an unknown or malformed one prints the message and the usage, and exits 2. */
export function cliArgs<O extends NonNullable<ParseArgsConfig['options']>>(options: O, usage: string) {
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (err) {
    return exitWith(`${(err as Error).message}\n${usage}`);
  }
}
