// npm run doctor [-- --strict] [--dns-server HOST[:PORT]]
// Checks the installation the environment (and .env) describes, changes nothing, and exits 1 when any check
// fails: ✓ passed, ✗ failed (with the fix), – does not apply here, ? could not be checked (no DNS; --strict
// fails those too).
import { Resolver } from 'node:dns/promises';
import { describeFindings, doctorPasses, runDoctor } from '../../runtime/doctor.js';
import { run } from '../run.js';
import { cliArgs } from './args.js';

const USAGE = 'usage: npm run doctor [-- --strict] [--dns-server HOST[:PORT]]';

await run(async (config) => {
  const args = cliArgs({ strict: { type: 'boolean', default: false }, 'dns-server': { type: 'string' } } as const, USAGE);
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (args['dns-server']) resolver.setServers([args['dns-server']]);
  const findings = await runDoctor(config, { resolveTxt: (name) => resolver.resolveTxt(name), fetch: (url, init) => fetch(url, { ...init, redirect: 'manual' }) });
  console.log(describeFindings(findings));
  const ok = doctorPasses(findings, args.strict);
  console.log(ok ? '\nThe installation looks right.' : `\n${findings.filter((f) => f.status === 'fail' || (args.strict && f.status === 'unchecked')).length} check(s) need attention.`);
  process.exit(ok ? 0 : 1);
});
