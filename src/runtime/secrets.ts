import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config, ResolvedConfig } from '../config.js';

export interface SecretsResult {
  config: ResolvedConfig;
  /** The admin token when it was generated (not given in ADMIN_TOKEN), so start-up can show it. */
  generatedAdminToken: string | null;
  /** Likewise the bearer token of /metrics, when METRICS_TOKEN was not given. */
  generatedMetricsToken: string | null;
}

/**
 * Fills SECRET and ADMIN_TOKEN: given values win; in embedded mode missing ones are
 * generated once and kept in DATA_DIR/secrets.json so links and tokens survive restarts. There, a
 * METRICS_TOKEN is generated too, so that /metrics answers on a fresh install (elsewhere it is off
 * until METRICS_TOKEN is set).
 */
export async function resolveSecrets(config: Config): Promise<SecretsResult> {
  if (config.secret && config.adminToken) return { config: config as ResolvedConfig, generatedAdminToken: null, generatedMetricsToken: null };
  const dir = resolve(config.dataDir);
  const file = join(dir, 'secrets.json');
  const stored: { secret?: string; adminToken?: string; metricsToken?: string } = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  stored.secret ??= randomBytes(32).toString('base64url');
  stored.adminToken ??= randomBytes(24).toString('base64url');
  stored.metricsToken ??= randomBytes(24).toString('base64url');
  const generatedAdminToken = config.adminToken ? null : stored.adminToken;
  const generatedMetricsToken = config.metricsToken ? null : stored.metricsToken;
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  const resolved = Object.freeze({
    ...config,
    secret: config.secret ?? stored.secret,
    adminToken: config.adminToken ?? stored.adminToken,
    metricsToken: config.metricsToken ?? stored.metricsToken,
  }) as ResolvedConfig;
  return { config: resolved, generatedAdminToken, generatedMetricsToken };
}
