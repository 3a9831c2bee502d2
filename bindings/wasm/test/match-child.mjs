// A process of the deposit-matching tests (matcher.test.mjs): one
// `client.matchDeposits(..., { approve: true })` of the sandbox's matching
// day with a file journal, printing the outcomes' statuses as JSON.
// argv: baseUrl token journalFile credits.csv [keyLeaseMs timeoutMs]
import { readFileSync } from 'node:fs';
import { Client, FileJournal, creditsFromCsv } from '../pkg/index.mjs';
import { MATCH_RULES } from './sandbox.mjs';

const [baseUrl, token, where, csv, leaseMs, timeoutMs] = process.argv.slice(2);
const journal = new FileJournal(where);
const client = new Client({
  baseUrl, token, journal, settleDelayMs: 0,
  keyLeaseMs: leaseMs === undefined ? undefined : Number(leaseMs),
  timeoutMs: timeoutMs === undefined ? undefined : Number(timeoutMs),
});
try {
  const result = await client.matchDeposits(creditsFromCsv(readFileSync(csv)), MATCH_RULES, { approve: true });
  console.log(JSON.stringify(result.outcomes.map((o) => o.status)));
} finally {
  await journal.close();
}
