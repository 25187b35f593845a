import { describe, expect, it } from 'vitest';
import { progress } from '../../../src/main/cli/progress.js';

describe('CLI progress', () => {
  it('writes a plain line every tenth of the way, and at the end, without a terminal', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const p = progress('import', 25, { stream });
    for (let i = 0; i < 25; i++) p.tick();
    p.stop();
    expect(out).toEqual(['import: 3/25\n', 'import: 6/25\n', 'import: 9/25\n', 'import: 12/25\n', 'import: 15/25\n', 'import: 18/25\n', 'import: 21/25\n', 'import: 24/25\n', 'import: 25/25\n']);
  });
});
