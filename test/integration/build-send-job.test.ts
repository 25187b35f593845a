// A resume within the second of the edition's first build: the build after the resume must queue a send job
// the queue does not already hold. (A queue keeps finished jobs and ignores an id it has; with an id made of
// the second, the admin console's pause-and-resume under load left every row queued and no job to send it,
// until the recovery sweep.) Real Postgres; the queue is a typed fake port that records the jobs' ids.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildEdition } from '../../src/jobs/build-edition.js';
import { BUILT_IN_TEMPLATES } from '../../src/digest/templates.js';
import { buildPortOf, startPortOf, type EditionParts } from '../../src/runtime/jobs.js';
import { startEdition } from '../../src/jobs/start-edition.js';
import { buildConfig, papersAndReaders, quietProducer, silentLog } from '../helpers/build.js';
import { useTestRepos } from '../helpers/database.js';

const t = useTestRepos();

describe('the send job a build queues', () => {
  it('is a new job after a resume, even within the same second as the first build', async () => {
    const { repos, db } = t;
    await papersAndReaders(t, 'resumed', 30);
    // The queue's rule: a job whose id it already has is not added again.
    const ids = new Set<string>();
    const added: { range: [number, number]; id: string }[] = [];
    const producer = quietProducer({
      sendLater: async (editionId, range, _delay, key) => {
        const id = `send-${editionId}-${range[0]}-${range[1]}-${key}`;
        if (!ids.has(id)) added.push({ range, id });
        ids.add(id);
      },
    });
    // One instant for everything: the first build, the pause, the resume and the build after it.
    const instant = new Date();
    const parts: EditionParts = { repos, config: buildConfig(), producer, log: silentLog, now: () => instant, templates: BUILT_IN_TEMPLATES };
    const deps = buildPortOf(parts);

    const { id } = await startEdition(startPortOf(parts), 'daily', true);
    await buildEdition(deps, id);
    expect(added).toHaveLength(1);
    const rows = await db.db.execute<{ n: number; first: number; last: number }>(sql`
      select count(*)::int as n, min(id)::int as first, max(id)::int as last from deliveries where edition_id = ${id} and status = 'queued'`);
    expect(rows.rows[0]).toMatchObject({ n: 30 });
    expect(added[0]!.range).toEqual([rows.rows[0]!.first, rows.rows[0]!.last]);

    // Paused on a storm before anything went out, then resumed: every row is still queued.
    expect(await repos.pauses.pause(id, 'a storm', { kind: 'breaker' })).toBe(true);
    expect(await repos.pauses.resume(id)).toBe('resumed');
    await buildEdition(deps, id);
    expect((await repos.editions.byId(id))!.status).toBe('sending');
    // A job the queue takes, over the same rows.
    expect(added).toHaveLength(2);
    expect(added[1]!.range).toEqual(added[0]!.range);
  });
});
