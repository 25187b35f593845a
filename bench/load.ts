// The load generator of bench/signup.ts, in a process of its own as a real client is: run in the server's
// process, autocannon would share its event loop and skip the cross-process wake-ups every real request
// costs. Prints autocannon's result as one JSON line.
//
//   node --import tsx bench/load.ts '{"url": "...", "connections": 20, "duration": 10}'
//   node --import tsx bench/load.ts '{"url": "...", "connections": 20, "amount": 5000, "signup": "tag"}'
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}') as { url: string; connections: number; duration?: number; amount?: number; signup?: string };
let n = 0;
// The generator's own CPU over the load only (not its start-up).
const cpu0 = process.cpuUsage();
const result = await autocannon({
  url: opts.url,
  connections: opts.connections,
  ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 10 }),
  ...(opts.signup
    ? {
        requests: [
          {
            method: 'POST',
            path: '/subscribe',
            headers: { 'content-type': 'application/json' },
            // A new valid address each time.
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `load${++n}-${opts.signup}@bench.example.org`, frequency: 'daily' }) }),
          },
        ],
      }
    : {}),
});
// The rate over the run's real duration (autocannon's per-second average counts whole seconds only).
const rate = result.requests.total / ((new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000);
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ rate, requests: result.requests.total, cpu: (cpu.user + cpu.system) / 1e6, latency: result.latency, '2xx': result['2xx'], non2xx: result.non2xx, errors: result.errors })}\n`);
