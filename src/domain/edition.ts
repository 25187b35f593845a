/** How often a reader gets a digest, and what an edition is of. (A reader may also pause: see Subscriber.) */
export type Frequency = 'daily' | 'weekly';

/** How many ranked papers an edition offers; each reader's digest is cut from these. */
export const POOL_SIZE = 50;
