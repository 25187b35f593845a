import { spawn, spawnSync } from 'node:child_process';
const pf = '/work/main/bench/.postfix';
const env = { ...process.env, LD_LIBRARY_PATH: pf + '/usr/lib/postfix' };
const sink = spawn(pf + '/usr/sbin/smtp-sink', ['-c', '-u', 'nobody', '127.0.0.1:25257', '1024'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
sink.stdout!.on('data', () => {});
await new Promise((r) => setTimeout(r, 300));
const src = spawnSync(pf + '/usr/sbin/smtp-source', ['-s', '20', '-l', '48000', '-m', '2000', '-f', 'a@b.test', '-t', 'c@d.test', '127.0.0.1:25257'], { env, stdio: 'ignore' });
console.log(src.status, src.signal, src.error);
sink.kill();
