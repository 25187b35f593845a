import pg from 'pg';
import { publicUrlIsLocal, type Config } from '../config.js';
import { migrationState } from '../db/migrate.js';
import { senderDomain } from '../mail/addresses.js';
import { dkimRecords } from '../mail/dkim.js';
import { createSmtpMailer } from '../mail/smtp-mailer.js';
import { redisClient } from './redis.js';

/** The PostgreSQL majors papermail is tested on (`npm test` runs its journey on each). */
export const SUPPORTED_POSTGRES = [14, 15, 16, 17, 18] as const;

/** One item of an install's check: passed, failed (with the fix), not applicable, or not checked (DNS out of reach). */
export interface Finding {
  item: string;
  status: 'ok' | 'fail' | 'skip' | 'unchecked';
  detail: string;
  fix?: string;
}

/** What the checks reach outside: DNS (TXT records) and HTTP. Tests give fakes. */
export interface DoctorPorts {
  resolveTxt(name: string): Promise<string[][]>;
  fetch(url: string, init: { signal: AbortSignal }): Promise<{ status: number; text(): Promise<string> }>;
}

const TIMEOUT_MS = 8000;
const message = (err: unknown) => (err as Error)?.message || String(err);
// DNS answers that say the name has no such record, as opposed to a resolver that could not be asked.
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);
const within = <T>(p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS).unref())]);

async function checkPostgres(config: Config): Promise<Finding[]> {
  if (!config.databaseUrl) return [{ item: 'Postgres', status: 'skip', detail: `embedded, in ${config.dataDir}/pg (npm start runs and migrates it)` }];
  const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS });
  try {
    await client.connect();
  } catch (err) {
    return [{ item: 'Postgres', status: 'fail', detail: `cannot connect: ${message(err)}`, fix: 'check DATABASE_URL (host, port, user, password, database) and that the server runs' }];
  } finally {
    client.on('error', () => {});
  }
  try {
    const num = Number((await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v);
    const major = Math.floor(num / 10_000);
    const supported = (SUPPORTED_POSTGRES as readonly number[]).includes(major);
    const version: Finding = supported
      ? { item: 'Postgres version', status: 'ok', detail: `PostgreSQL ${major}` }
      : { item: 'Postgres version', status: 'fail', detail: `PostgreSQL ${major} is not supported (papermail supports ${SUPPORTED_POSTGRES.join(', ')})`, fix: `run PostgreSQL ${SUPPORTED_POSTGRES.at(-1)} (pg_upgrade, or dump and restore)` };
    const m = await migrationState(client as unknown as pg.Pool);
    const migrations: Finding =
      m.pending === 0
        ? { item: 'Migrations', status: 'ok', detail: `all ${m.total} applied` }
        : { item: 'Migrations', status: 'fail', detail: `${m.pending} of ${m.total} not applied`, fix: 'npm run db:migrate (the API and the worker also migrate when they start)' };
    return [{ item: 'Postgres', status: 'ok', detail: 'reachable' }, version, migrations];
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkRedis(config: Config): Promise<Finding[]> {
  if (!config.redisUrl) return [{ item: 'Redis', status: 'skip', detail: 'not used: the queues are on Postgres' }];
  const redis = redisClient(config.redisUrl, config.redisCluster, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: TIMEOUT_MS, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await within(redis.connect(), 'Redis');
  } catch (err) {
    redis.disconnect();
    return [{ item: 'Redis', status: 'fail', detail: `cannot connect: ${message(err)}`, fix: 'check REDIS_URL and that the server runs' }];
  }
  try {
    const config_ = async (key: string) => ((await (redis as unknown as { config(op: 'GET', k: string): Promise<string[]> }).config('GET', key)) as string[])[1];
    let policy: string | undefined;
    let aof: string | undefined;
    try {
      [policy, aof] = [await config_('maxmemory-policy'), await config_('appendonly')];
    } catch (err) {
      return [{ item: 'Redis', status: 'ok', detail: 'reachable' }, { item: 'Redis settings', status: 'unchecked', detail: `CONFIG GET is not allowed here (${message(err)}); make sure of maxmemory-policy noeviction and appendonly yes with your provider` }];
    }
    return [
      { item: 'Redis', status: 'ok', detail: 'reachable' },
      policy === 'noeviction'
        ? { item: 'Redis eviction', status: 'ok', detail: 'maxmemory-policy noeviction' }
        : { item: 'Redis eviction', status: 'fail', detail: `maxmemory-policy is ${policy}: Redis may drop queued jobs when memory is full`, fix: 'set maxmemory-policy noeviction (redis-server --maxmemory-policy noeviction)' },
      aof === 'yes'
        ? { item: 'Redis persistence', status: 'ok', detail: 'appendonly yes' }
        : { item: 'Redis persistence', status: 'fail', detail: 'appendonly is off: a restart loses the jobs written since the last snapshot', fix: 'set appendonly yes (redis-server --appendonly yes)' },
    ];
  } finally {
    redis.disconnect();
  }
}

async function checkSmtp(config: Config): Promise<Finding[]> {
  if (!config.smtpUrl) return [{ item: 'SMTP', status: 'skip', detail: 'not used: mail is caught by the built-in catcher (/dev/inbox)' }];
  const mailer = createSmtpMailer(config.smtpUrl, { poolSize: 1 });
  try {
    await within(mailer.verify(), 'The SMTP server');
    return [{ item: 'SMTP', status: 'ok', detail: `connected and logged in to ${new URL(config.smtpUrl).host}` }];
  } catch (err) {
    return [{ item: 'SMTP', status: 'fail', detail: message(err), fix: 'check the host, port, user and password in SMTP_URL (smtp://user:pass@host:587)' }];
  } finally {
    await mailer.close().catch(() => {});
  }
}

async function checkPublicUrl(config: Config, ports: DoctorPorts): Promise<Finding[]> {
  const out: Finding[] = [];
  if (config.production && publicUrlIsLocal(config.publicUrl))
    out.push({ item: 'PUBLIC_URL', status: 'fail', detail: `${config.publicUrl} points at this machine: readers' links would open on their own`, fix: 'set PUBLIC_URL to the https address readers reach (behind your TLS proxy)' });
  const url = `${config.publicUrl}/health`;
  try {
    const res = await ports.fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    if (res.status === 200 && /"status"\s*:\s*"ok"/.test(body)) out.push({ item: 'PUBLIC_URL reaches the service', status: 'ok', detail: `${url} answered` });
    else out.push({ item: 'PUBLIC_URL reaches the service', status: 'fail', detail: `${url} answered ${res.status}, not papermail's health`, fix: 'point PUBLIC_URL (and your proxy) at the API' });
  } catch (err) {
    out.push({ item: 'PUBLIC_URL reaches the service', status: 'fail', detail: `${url}: ${message((err as { cause?: unknown }).cause ?? err)}`, fix: 'start the API, and point PUBLIC_URL (and your proxy) at it' });
  }
  return out;
}

/** TXT records of a name, joined per record; null when the resolver could not be asked. */
async function txt(ports: DoctorPorts, name: string): Promise<string[] | null> {
  try {
    return (await within(ports.resolveTxt(name), 'DNS')).map((chunks) => chunks.join(''));
  } catch (err) {
    if (NO_RECORD.has(String((err as { code?: string }).code))) return [];
    return null;
  }
}

async function checkDns(config: Config, ports: DoctorPorts): Promise<Finding[]> {
  const domain = senderDomain(config.mailFrom);
  if (domain.endsWith('.localhost'))
    return [
      config.production
        ? { item: 'Sender domain', status: 'fail', detail: `MAIL_FROM is at ${domain}, a placeholder`, fix: 'set MAIL_FROM to an address of your own domain' }
        : { item: 'Sender domain', status: 'skip', detail: `${domain} is a placeholder (embedded defaults): SPF, DMARC and DKIM not checked` },
    ];
  const out: Finding[] = [];
  const unreachable = (item: string): Finding => ({ item, status: 'unchecked', detail: 'no DNS resolver answered', fix: 'run the doctor where DNS is reachable' });
  const spf = await txt(ports, domain);
  if (spf === null) out.push(unreachable('SPF'));
  else if (spf.some((r) => /^v=spf1\b/i.test(r))) out.push({ item: 'SPF', status: 'ok', detail: spf.find((r) => /^v=spf1\b/i.test(r))! });
  else out.push({ item: 'SPF', status: 'fail', detail: `no v=spf1 record at ${domain}`, fix: `publish a TXT record at ${domain} naming your SMTP relay, such as "v=spf1 include:<your provider> -all"` });
  const dmarc = await txt(ports, `_dmarc.${domain}`);
  if (dmarc === null) out.push(unreachable('DMARC'));
  else if (dmarc.some((r) => /^v=DMARC1\b/i.test(r))) out.push({ item: 'DMARC', status: 'ok', detail: dmarc.find((r) => /^v=DMARC1\b/i.test(r))! });
  else out.push({ item: 'DMARC', status: 'fail', detail: `no v=DMARC1 record at _dmarc.${domain}`, fix: `publish a TXT record at _dmarc.${domain}, such as "v=DMARC1; p=none; rua=mailto:dmarc@${domain}"` });
  for (const r of config.dkim ? dkimRecords(config.dkim) : []) {
    const item = r.setting === 'DKIM_PRIVATE_KEY' ? 'DKIM' : r.setting === 'DKIM_ED25519_PRIVATE_KEY' ? 'DKIM Ed25519' : 'DKIM next key';
    const records = await txt(ports, r.name);
    if (records === null) {
      out.push(unreachable(item));
      continue;
    }
    const published = records.map((x) => /(?:^|;)\s*p=([A-Za-z0-9+/=\s]*)/.exec(x)?.[1]?.replace(/\s+/g, '')).filter((p): p is string => p !== undefined);
    const when = r.from ? ` (it signs from ${r.from.toISOString()})` : '';
    if (published.includes(r.publicKey)) out.push({ item, status: 'ok', detail: `${r.name} publishes the public half of ${r.setting}${when}` });
    else
      out.push({
        item,
        status: 'fail',
        detail: `${published.length ? `${r.name} publishes another key than ${r.setting}'s` : `no DKIM key at ${r.name}`}${when}`,
        fix: `publish a TXT record at ${r.name}: "${r.value}"${r.from ? ', before that date' : ''} (npm run dkim prints it as a zone file line)`,
      });
  }
  return out;
}

/**
 * Checks an installation as it is configured, without changing anything: Postgres (reachable, a supported
 * major, migrations current), Redis (noeviction, append-only), the SMTP login, PUBLIC_URL (not local in
 * production, and reaching this service's /health), and the sender domain's SPF, DMARC and DKIM records.
 */
export async function runDoctor(config: Config, ports: DoctorPorts): Promise<Finding[]> {
  const groups = await Promise.all([checkPostgres(config), checkRedis(config), checkSmtp(config), checkPublicUrl(config, ports), checkDns(config, ports)]);
  return groups.flat();
}

/** The findings as a person reads them: ✓, ✗ (with the fix), – (not applicable), ? (not checked). */
export function describeFindings(findings: Finding[]): string {
  const mark = { ok: '✓', fail: '✗', skip: '–', unchecked: '?' } as const;
  return findings.map((f) => `${mark[f.status]} ${f.item}: ${f.detail}${f.fix && f.status !== 'ok' ? `\n    fix: ${f.fix}` : ''}`).join('\n');
}

/** True when the install passes: nothing failed, and, with `strict`, nothing left unchecked. */
export const doctorPasses = (findings: Finding[], strict: boolean) => findings.every((f) => f.status !== 'fail' && (!strict || f.status !== 'unchecked'));
