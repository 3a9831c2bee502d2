// A process of the operation-key tests (keys.test.mjs): one keyed bulk
// manual deposit (sandbox.mjs keyedItems) with a journal, printing the
// items' statuses as JSON.
// argv: baseUrl token store(file|sqlite|postgres) where rows prefix [keyLeaseMs timeoutMs]
import { Client, FileJournal, SqliteJournal, PostgresJournal } from '../pkg/index.mjs';
import { keyedItems } from './sandbox.mjs';

const [baseUrl, token, store, where, rows, prefix, leaseMs, timeoutMs] = process.argv.slice(2);
const journal = store === 'file' ? new FileJournal(where) : store === 'sqlite' ? new SqliteJournal(where) : new PostgresJournal(where);
const client = new Client({
  baseUrl, token, journal, settleDelayMs: 0,
  keyLeaseMs: leaseMs === undefined ? undefined : Number(leaseMs),
  timeoutMs: timeoutMs === undefined ? undefined : Number(timeoutMs),
});
try {
  const outcomes = await client.multipleTransaction('deposit', keyedItems(Number(rows), prefix));
  console.log(JSON.stringify(outcomes.map((o) => o.status)));
  // Why an item ended otherwise, for the parent's failure message.
  const odd = new Set(outcomes.filter((o) => !['succeeded', 'already_done', 'key_in_use'].includes(o.status)).map((o) => `${o.status}: ${o.message}`));
  for (const line of odd) console.error(line);
} finally {
  await journal.close();
}
