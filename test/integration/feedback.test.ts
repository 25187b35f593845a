// "More like this": a reader likes two diffusion papers and hides a finance one through the links in a
// caught digest (GET, then the page's button). Their next digest puts the diffusion papers first and the
// finance ones last, and says why; a reader without feedback gets the community order. A scanner's GET
// and HEAD record nothing. The reading list exports BibTeX that parses and RIS; export and erase include
// the feedback.
import { parse as parseBibtex } from '@retorquere/bibtex-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedPaper } from '../../src/domain/paper.js';
import { mailedDataLink, PUBLIC_URL, startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

let stack: Stack;
const LEARNER = 'learner@example.org';
const CONTROL = 'control@example.org';
const q = (text: string, params: unknown[] = []) => stack.served.runtime.database.pool.query(text, params);

const paper = (id: string, title: string, abstract: string, upvotes: number): NormalizedPaper =>
  ({ id, title, abstract, authors: ['Ada Lovelace', 'José Müller'], upvotes, links: { hf: `https://huggingface.co/papers/${id}`, arxiv: `https://arxiv.org/abs/${id}` }, source: 'test' }) as NormalizedPaper;

const DIFFUSION = new Set(['2601.00007', '2601.00009', '2601.00011', '2601.00012', '2602.00001', '2602.00002']);
const FINANCE = new Set(['2601.00002', '2601.00004', '2601.00010', '2602.00003', '2602.00004']);
// The first edition: the top ten of these (by upvotes) go to both readers.
const FIRST: NormalizedPaper[] = [
  paper('2601.00001', 'Scaling laws for protein language models', 'We study how protein language models scale with parameters and sequence data.', 100),
  paper('2601.00002', 'Forecasting stock returns with transformers', 'Financial markets: we predict stock returns and portfolio risk from price history with transformers.', 95),
  paper('2601.00003', 'Graph neural networks for city traffic', 'Road sensors form a graph; message passing predicts traffic flow.', 90),
  paper('2601.00004', 'Credit risk and portfolio optimization with deep learning', 'Banks price credit risk; we optimize portfolios of loans and stocks under market stress.', 85),
  paper('2601.00005', 'Robot manipulation from video demonstrations', 'A robot arm learns grasping from human videos.', 80),
  paper('2601.00006', 'Speech recognition for low-resource languages', 'Self-supervised speech models transcribe languages with little labelled audio.', 75),
  paper('2601.00007', 'Latent diffusion models for video generation', 'A denoising diffusion model in latent space generates video frames; sampling uses fewer diffusion steps.', 70),
  paper('2601.00008', 'Quantum error correction on superconducting qubits', 'Surface codes protect logical qubits from noise.', 65),
  paper('2601.00009', 'Consistency distillation speeds up diffusion image synthesis', 'We distill a denoising diffusion model into a few-step image generator with consistency training.', 60),
  paper('2601.00010', 'High-frequency trading with reinforcement learning', 'An agent trades stocks on market microstructure signals, managing financial risk.', 55),
  paper('2601.00011', 'Score-based diffusion for 3D shape generation', 'Denoising score matching and diffusion sampling generate 3D shapes.', 50),
  paper('2601.00012', 'Aligning text-to-image diffusion with human preferences', 'We fine-tune a text-to-image diffusion model so that generated images match human preference.', 45),
];
// Before the second edition: new papers, where finance ranks high and diffusion low in the community's order.
const SECOND: NormalizedPaper[] = [
  paper('2602.00003', 'Market risk forecasting for stock portfolios', 'Value at risk of stock portfolios under financial market shocks.', 200),
  paper('2602.00005', 'Weather forecasting with graph transformers', 'Global weather prediction on a mesh of the atmosphere.', 190),
  paper('2602.00004', 'Large language models as financial analysts', 'LLMs read earnings reports and predict stock returns for portfolios.', 180),
  paper('2602.00006', 'Sparse attention for long documents', 'Attention over long context with block sparsity.', 170),
  paper('2602.00007', 'Program synthesis from examples', 'A search over programs guided by a learned model.', 160),
  paper('2602.00001', 'Guided diffusion sampling for image editing', 'Denoising diffusion sampling with guidance edits images; the diffusion model generates the edited image.', 150),
  paper('2602.00008', 'Protein structure prediction without alignments', 'Single-sequence folding with a protein language model.', 140),
  paper('2602.00002', 'Video diffusion transformers', 'A diffusion transformer denoises latent video; sampling generates long clips.', 130),
];

const idOf = async (email: string) => Number((await q('select id from subscribers where email = $1', [email])).rows[0].id);
const feedbackRows = async () => (await q('select subscriber_id, paper_id, choice from feedback order by paper_id')).rows;
const sendEdition = async () => {
  const { id } = (await (await stack.admin('/editions', { frequency: 'daily', force: true })).json()) as { id: number };
  await waitForEdition(stack, id);
  return id;
};
const listOf = async (editionId: number, email: string) =>
  (await q('select d.paper_ids from deliveries d join subscribers s on s.id = d.subscriber_id where d.edition_id = $1 and s.email = $2', [editionId, email])).rows[0]
    .paper_ids as string[];
const digestTo = (email: string, n: number) => stack.sink.to(email).filter((m) => /^Trending papers/.test(m.parsed.subject ?? ''))[n]!;
/** The digest's feedback link for one paper, as the text part shows it. */
const feedbackLink = (text: string, paperId: string, choice: 'more' | 'less') =>
  new RegExp(`(${PUBLIC_URL}/feedback/${paperId.replace('.', '\\.')}/\\S+)\\?choice=${choice}`).exec(text)?.[0];

beforeAll(async () => {
  stack = await startStack('postgres');
  // Only this test's papers are in the pool.
  await q('delete from papers');
  await stack.served.runtime.repos.papers.upsert(FIRST);
  await subscribeAndConfirm(stack, LEARNER);
  await subscribeAndConfirm(stack, CONTROL);
});
afterAll(async () => stack?.close());

describe('feedback from the mail', () => {
  let first: number;

  it('puts two links under each paper of a digest, each signed for its reader and paper', async () => {
    first = await sendEdition();
    for (const email of [LEARNER, CONTROL]) {
      const d = digestTo(email, 0);
      const list = await listOf(first, email);
      expect(list).toEqual(FIRST.slice(0, 10).map((p) => p.id));
      for (const id of list) {
        expect(feedbackLink(d.parsed.text!, id, 'more')).toBeTruthy();
        expect(d.parsed.html).toContain(`${feedbackLink(d.parsed.text!, id, 'less')}`);
      }
      // No reason is given to a reader without feedback.
      expect(d.parsed.text).not.toContain('Because you liked');
    }
    // Each reader's links are their own: the learner's link names the learner's page.
    const mine = feedbackLink(digestTo(LEARNER, 0).parsed.text!, '2601.00007', 'more')!;
    expect(feedbackLink(digestTo(CONTROL, 0).parsed.text!, '2601.00007', 'more')).not.toBe(mine);
  });

  it("records nothing on a scanner's GET or HEAD of every link", async () => {
    for (const email of [LEARNER, CONTROL]) {
      const text = digestTo(email, 0).parsed.text!;
      for (const link of text.match(new RegExp(`${PUBLIC_URL}/feedback/\\S+`, 'g'))!) {
        expect((await stack.http(link)).status).toBe(200);
        expect((await stack.http(link, { method: 'HEAD' })).status).toBe(200);
      }
    }
    expect(await feedbackRows()).toEqual([]);
  });

  it('records a choice from the button on the page the link opens, the last one winning', async () => {
    const text = digestTo(LEARNER, 0).parsed.text!;
    const press = async (link: string) => {
      const page = await stack.http(link);
      const html = await page.text();
      // The page names the paper and the choice, and holds one form with the choice.
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
      const choice = /name="choice" value="(\w+)"/.exec(html)![1]!;
      const res = await stack.http(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `choice=${choice}` });
      expect(res.status).toBe(200);
      return { html, answer: await res.text() };
    };
    const liked = await press(feedbackLink(text, '2601.00007', 'more')!);
    expect(liked.html).toContain('Latent diffusion models for video generation');
    expect(liked.html).toContain('More like this?');
    expect(liked.answer).toContain('Thanks, noted');
    await press(feedbackLink(text, '2601.00009', 'more')!);
    // Hidden first by mistake as "more", then "less": the last choice wins.
    await press(feedbackLink(text, '2601.00002', 'more')!);
    await press(feedbackLink(text, '2601.00002', 'less')!);
    const learner = await idOf(LEARNER);
    expect(await feedbackRows()).toEqual([
      { subscriber_id: learner, paper_id: '2601.00002', choice: 'less' },
      { subscriber_id: learner, paper_id: '2601.00007', choice: 'more' },
      { subscriber_id: learner, paper_id: '2601.00009', choice: 'more' },
    ]);
    // A link speaks for its own paper only, and bad input stores nothing.
    const link = feedbackLink(text, '2601.00007', 'more')!.replace('?choice=more', '');
    const other = link.replace('2601.00007', '2601.00008');
    for (const [url, body] of [[other, 'choice=more'], [link, 'choice=maybe'], [link, ''], [`${link}x`, 'choice=more']] as const) {
      const res = await stack.http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await stack.http(`${link}?choice=maybe`)).status).toBe(400);
    expect(await feedbackRows()).toHaveLength(3);
  });

  it("ranks the learner's next digest toward the diffusion papers and away from finance; the control gets the community order", async () => {
    await stack.served.runtime.repos.papers.upsert(SECOND);
    const second = await sendEdition();
    const learner = await listOf(second, LEARNER);
    const control = await listOf(second, CONTROL);
    const pool = [...SECOND, ...FIRST.slice(10)].map((p) => p.id);
    // The control reader: the pool's unseen papers in the community's order.
    expect(control).toEqual(pool);
    // The learner: the same papers, diffusion first, finance last.
    expect([...learner].sort()).toEqual([...pool].sort());
    const diffusion = pool.filter((id) => DIFFUSION.has(id));
    const finance = pool.filter((id) => FINANCE.has(id));
    expect(new Set(learner.slice(0, diffusion.length))).toEqual(new Set(diffusion));
    expect(new Set(learner.slice(-finance.length))).toEqual(new Set(finance));
    // The digest says why a lifted paper is there, and the control's says nothing of the kind.
    const text = digestTo(LEARNER, 1).parsed.text!;
    expect(text).toMatch(/Because you liked: (Latent diffusion models for video generation|Consistency distillation speeds up diffusion image synthesis)/);
    expect(digestTo(CONTROL, 1).parsed.text).not.toContain('Because you liked');
    // The papers, stored by hand here (no ingest), got their text vectors once a ranking needed them.
    expect((await q('select count(*)::int as n from papers where vector is null')).rows[0].n).toBe(0);
    // Order in the mail follows the list.
    const positions = learner.map((id) => text.indexOf([...SECOND, ...FIRST].find((p) => p.id === id)!.title));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});

describe('the reading list', () => {
  it('lists the liked papers, newest first, and exports BibTeX that parses and RIS', async () => {
    const text = digestTo(LEARNER, 0).parsed.text!;
    const prefs = new RegExp(`Manage preferences: ${PUBLIC_URL}(/preferences/\\S+)`).exec(text)![1]!;
    const center = await (await stack.http(prefs)).text();
    // The preference center lists the liked and hidden papers with an undo each, and links the reading list.
    expect(center).toContain('Latent diffusion models for video generation');
    expect(center).toContain('Forecasting stock returns with transformers');
    expect(center.match(/name="choice" value="undo"/g)).toHaveLength(3);
    const listPath = /href="(\/reading-list\/[^"]+)"/.exec(center)![1]!;
    const page = await stack.http(listPath);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html.indexOf('Consistency distillation')).toBeLessThan(html.indexOf('Latent diffusion models'));
    expect(html).not.toContain('Forecasting stock returns');

    const bib = await stack.http(`${listPath}/bibtex`);
    expect(bib.headers.get('content-type')).toMatch(/^application\/x-bibtex/);
    expect(bib.headers.get('content-disposition')).toContain('reading-list.bib');
    const parsed = parseBibtex(await bib.text());
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => e.fields.title)).toEqual(['Consistency distillation speeds up diffusion image synthesis', 'Latent diffusion models for video generation']);
    // Accents come back from their LaTeX escapes (decomposed: compare in NFC).
    expect(parsed.entries[0]!.fields.author!.map((a) => `${a.firstName} ${a.lastName}`.normalize('NFC'))).toEqual(['Ada Lovelace', 'José Müller']);
    expect(parsed.entries[0]!.fields.doi).toBe('10.48550/arXiv.2601.00009');

    const ris = await (await stack.http(`${listPath}/ris`)).text();
    expect(ris.match(/^TY {2}- /gm)).toHaveLength(2);
    expect(ris.match(/^ER {2}- /gm)).toHaveLength(2);
    expect(ris).toContain('TI  - Latent diffusion models for video generation');

    // Undo from the preference center: the paper leaves the reading list.
    const undo = /<li><a href="[^"]*2601\.00007[^"]*">[^<]*<\/a><br><span class="muted">[^<]*<\/span> <form method="post" action="([^"]+)"/.exec(center)![1]!;
    expect((await stack.http(undo, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'choice=undo' })).status).toBe(200);
    expect((await feedbackRows()).map((r) => r.paper_id)).toEqual(['2601.00002', '2601.00009']);
  });
});

describe('your data', () => {
  it('exports the feedback, and erasing takes it away', async () => {
    const text = digestTo(LEARNER, 0).parsed.text!;
    const prefs = new RegExp(`Manage preferences: ${PUBLIC_URL}(/preferences/\\S+)`).exec(text)![1]!;
    const data = await mailedDataLink(stack, LEARNER, prefs);
    const exported = (await (await stack.http(`${data}/export`)).json()) as { feedback: { paperId: string; choice: string; title: string }[] };
    expect(exported.feedback.map((f) => [f.paperId, f.choice])).toEqual(expect.arrayContaining([['2601.00002', 'less'], ['2601.00009', 'more']]));
    expect(exported.feedback).toHaveLength(2);
    expect((await stack.http(`${data}/erase`, { method: 'POST' })).status).toBe(200);
    expect(await feedbackRows()).toEqual([]);
  });
});
