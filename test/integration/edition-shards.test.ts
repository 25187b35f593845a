// Assignment in shards, against real Postgres, with the queue as a typed fake port (the jobs it would run are
// run here, in the order a test chooses): the plan covers every reader, a shard's job assigns only its range,
// a queue that is down gets the shards given back, and only the last shard to finish moves the edition on.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildEdition } from '../../src/jobs/build-edition.js';
import { BUILT_IN_TEMPLATES } from '../../src/digest/templates.js';
import { buildPortOf, startPortOf, type EditionParts } from '../../src/runtime/jobs.js';
import { startEdition } from '../../src/jobs/start-edition.js';
import { buildConfig, papersAndReaders, quietProducer, silentLog } from '../helpers/build.js';
import { useTestRepos } from '../helpers/database.js';

const t = useTestRepos();

/** The producer's calls, and a switch to make buildShards fail as a queue that is down does. */
function fakeProducer() {
  const calls = { builds: 0, shards: [] as number[][], sends: 0 };
  let down = false;
  const producer = quietProducer({
    buildEdition: async () => void calls.builds++,
    buildShards: async (_id, shards) => {
      if (down) throw new Error('The queue did not answer within 3000 ms');
      calls.shards.push(shards);
    },
    sendRanges: async () => void calls.sends++,
    sendLater: async () => void calls.sends++,
  });
  return { producer, calls, setDown: (v: boolean) => (down = v) };
}

describe('assignment in shards', () => {
  it('plans ranges over every reader, assigns each shard once, and moves the edition on only after the last', async () => {
    const { repos, db } = t;
    await papersAndReaders(t, 'shard', 530);
    const config = buildConfig({ ASSIGN_SHARD_READERS: '100' });
    const { producer, calls, setDown } = fakeProducer();
    const parts: EditionParts = { repos, config, producer, log: silentLog, now: () => new Date(), templates: BUILT_IN_TEMPLATES };
    const deps = buildPortOf(parts);

    const { id } = await startEdition(startPortOf(parts), 'daily', true);
    expect(calls.builds).toBe(1);

    // The queue is down when the parent job queues the shards: it fails, and the shards are not left claimed.
    setDown(true);
    await expect(buildEdition(deps, id)).rejects.toThrow(/queue/);
    const plan = await repos.editionShards.shards(id);
    expect(plan.map((s) => s.firstId)[0]).toBe(0);
    expect(plan).toHaveLength(5);
    expect(plan.at(-1)!.lastId).toBeNull();
    const beats = await db.db.execute<{ n: number }>(sql`select count(beat_at)::int as n from edition_shards where edition_id = ${id}`);
    expect(beats.rows[0]!.n).toBe(0);

    // The job's retry queues one job per shard; another build meanwhile queues none (their beats are fresh).
    setDown(false);
    await buildEdition(deps, id);
    expect(calls.shards).toEqual([plan.map((s) => s.firstId)]);
    await buildEdition(deps, id);
    expect(calls.shards).toHaveLength(1);
    expect((await repos.editionShards.shards(id)).map((s) => s.firstId)).toEqual(plan.map((s) => s.firstId));

    // Shards run out of order; each assigns only its own range, and the edition stays assigning until the last.
    const rowsIn = async (s: (typeof plan)[number]) =>
      (
        await db.db.execute<{ n: number }>(sql`
          select count(*)::int as n from deliveries d where d.edition_id = ${id} and d.subscriber_id >= ${s.firstId} ${s.lastId === null ? sql`` : sql`and d.subscriber_id <= ${s.lastId}`}`)
      ).rows[0]!.n;
    const order = [3, 0, 4, 1];
    for (const k of order) {
      await buildEdition(deps, id, { shard: plan[k]!.firstId });
      expect(await rowsIn(plan[k]!)).toBeGreaterThanOrEqual(100);
      expect((await repos.editions.byId(id))!.status).toBe('assigning');
    }
    expect(await rowsIn(plan[2]!)).toBe(0);
    await buildEdition(deps, id, { shard: plan[2]!.firstId });
    const edition = (await repos.editions.byId(id))!;
    expect(edition.status).toBe('sending');
    const rows = await db.db.execute<{ n: number; readers: number }>(sql`
      select count(*)::int as n, count(distinct subscriber_id)::int as readers from deliveries where edition_id = ${id}`);
    expect(rows.rows[0]).toEqual({ n: 530, readers: 530 });
    expect((await repos.editionShards.shards(id)).every((s) => s.done)).toBe(true);

    // A shard's job run again (BullMQ's retry of a job that had finished) adds no row.
    await buildEdition(deps, id, { shard: plan[0]!.firstId });
    const again = await db.db.execute<{ n: number }>(sql`select count(*)::int as n from deliveries where edition_id = ${id}`);
    expect(again.rows[0]!.n).toBe(530);
  });
});
