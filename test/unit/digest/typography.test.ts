import { describe, expect, it } from 'vitest';
import { typeset } from '../../../src/digest/typography.js';

describe('typeset', () => {
  it.each([
    ["``deep'' learning", '\u201cdeep\u201d learning'],
    ["a `single' quote and it's", 'a \u2018single\u2019 quote and it\u2019s'],
    ['diffusion models~(DMs)', 'diffusion models\u00a0(DMs)'],
    ['pages 3--5 --- or not', 'pages 3\u20135 \u2014 or not'],
    ['~10% faster, about ~ 3x', '~10% faster, about ~ 3x'],
    ['x <script>alert(1)</script> & y', 'x <script>alert(1)</script> & y'],
    ['state-of-the-art', 'state-of-the-art'],
  ])('%s', (input, output) => expect(typeset(input)).toBe(output));
});
