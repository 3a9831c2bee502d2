// The child of crash.test.mjs: a 60-item bulk manual deposit with a journal,
// whose second bulk request the sandbox holds (`delay=`) so the parent can
// kill this process with SIGKILL while that request is in flight.
// argv: baseUrl token journalPath fault [mode]
//   mode `pairs`: 30 users, each twice with the same amount (S001..S030,
//   then S001..S030 again), so one user's equal moves sit in two requests
//   and one history entry could explain either.
//   fault `delay=MS`: the sandbox holds the request MS ms (and drops it when
//   the connection goes away with this process);
//   fault `late=MS`: the sandbox drops the connection at once and processes
//   the request MS ms later, while this transport keeps waiting for an
//   answer that never comes (a client still waiting when it is killed).
import { Client, FileJournal } from '../pkg/index.mjs';

const [baseUrl, token, journalPath, fault, mode] = process.argv.slice(2);
let moneyRequests = 0;
const transport = async (request, init) => {
  let headers = request.headers;
  if (!request.idempotent) {
    moneyRequests += 1;
    if (moneyRequests === 2) {
      headers = { ...headers, 'X-Sandbox-Fault': fault };
      if (fault.startsWith('late=')) {
        await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined }).catch(() => {});
        // The sandbox has it (it dropped the connection): the parent may kill now.
        console.log('late request received');
        await new Promise(() => {}); // waits until killed
      }
    }
  }
  const response = await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined, signal: init.signal });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
};
const client = new Client({ baseUrl, token, transport, journal: new FileJournal(journalPath), timeoutMs: 60_000 });
const users = mode === 'pairs' ? 30 : 60;
const items = Array.from({ length: 60 }, (_, i) => ({ user: `S${String((i % users) + 1).padStart(3, '0')}`, amount: '10', comment: 'payroll', operator: 'OP01' }));
const outcomes = await client.multipleTransaction('deposit', items);
console.log(JSON.stringify(outcomes.map((o) => o.status)));
