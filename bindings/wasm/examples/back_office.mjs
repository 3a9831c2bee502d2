// The back-office story from Node, with the default fetch transport:
//
//   IDN_TOTO_BASE_URL=http://127.0.0.1:PORT/home.php IDN_TOTO_TOKEN=... node examples/back_office.mjs
//
// (`just demo` starts a sandbox and runs this against it.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, FileJournal, IdnTotoError } from '../pkg/index.mjs';

const baseUrl = process.env.IDN_TOTO_BASE_URL ?? 'http://127.0.0.1:8080/home.php';
const token = process.env.IDN_TOTO_TOKEN;
if (!token) {
  console.error('set IDN_TOTO_TOKEN');
  process.exit(1);
}
const client = new Client({ baseUrl, token, timeoutMs: 10_000 });

function table(title, header, rows) {
  console.log(`\n== ${title} (${rows.length} rows)`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => console.log('  ' + cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd());
  line(header);
  line(widths.map((w) => '-'.repeat(w)));
  rows.forEach(line);
}

console.log(`idn-toto back-office story (Node) against ${baseUrl}`);

// 1. Pending deposits and withdrawals.
const deposits = await client.transactionList('deposit');
const withdrawals = await client.transactionList('withdraw');
for (const [title, list] of [['pending deposits', deposits], ['pending withdrawals', withdrawals]]) {
  table(title, ['id', 'user', 'date', 'amount', 'bank'], list.data.slice(0, 8).map((t) => [t.id, t.user, t.date, t.amount, t.destination_bank]));
}

// 2. Accept two deposits and reject one, in one batch.
const picked = deposits.data.slice(0, 3);
const outcomes = await client.multipleTransaction(
  'deposit',
  picked.map((t, i) => ({ trans_id: t.id, user: t.user, action: i < 2 ? 'accept' : 'reject', comment: `demo batch ${i + 1}`, operator: 'OP01' })),
);
table('batch accept/reject', ['trans_id', 'user', 'outcome', 'message'], outcomes.map((o) => [o.trans_id ?? '', o.user, o.status, o.message ?? '']));

// 2b. An answer lost on its way back: the sandbox processes this accept,
//     then answers 500 (its `500-after` fault, sent as a header by a custom
//     transport). The outcome is unknown, so it is never sent again: reads
//     settle it, and the journal records every step.
const lostTx = deposits.data[3];
if (lostTx) {
  const dir = mkdtempSync(path.join(tmpdir(), 'idn-toto-demo-'));
  const journal = new FileJournal(path.join(dir, 'money.jsonl'));
  const lostAnswer = async (request, init) => {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { ...request.headers, 'X-Sandbox-Fault': '500-after' },
      body: request.body ?? undefined,
      signal: init.signal,
    });
    return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
  };
  const faulty = new Client({ baseUrl, token, transport: lostAnswer, journal });
  try {
    const done = await faulty.acceptReject('deposit', lostTx.id, lostTx.user, 'accept', 'demo lost answer', 'OP01');
    console.log(`\n== accept ${lostTx.id}: ${done.message}`);
  } catch (e) {
    if (!(e instanceof IdnTotoError) || e.kind !== 'outcome_unknown') throw e;
    console.log(`\n== accept ${lostTx.id}: ${e.message}`);
    const settler = new Client({ baseUrl, token, journal, settleDelayMs: 1_000 });
    const settled = await settler.settle(e);
    console.log(`   settled: ${settled.state} (${settled.reason})`);
    for (const ev of settled.evidence) console.log(`   - ${ev.showed}`);
    const lines = journal.read().trim().split('\n').map((l) => JSON.parse(l));
    console.log(`   journal: ${lines.map((l) => `${l.event}${l.state ? ` ${l.state}` : ''}`).join(', ')}; open: ${(await settler.unsettled()).length}`);
  } finally {
    journal.close();
    rmSync(dir, { recursive: true });
  }
}

// 3. A manual correction.
const user = picked[0]?.user ?? 'LOREM';
const manual = await client.manualTransaction('deposit', user, 'demo correction', '2500.50', 'OP01');
console.log(`\n== manual deposit of 2500.50 for ${user}: ${manual.message}`);

// 4. Balances, history, last transaction.
const balances = [];
for (const u of new Set(picked.map((t) => t.user))) {
  const b = await client.userBalance(u);
  balances.push([b.user, b.balance]);
}
table('balances', ['user', 'balance'], balances);
const history = await client.userHistory('deposit', user);
table(`deposit history of ${user}`, ['date', 'amount', 'status'], history.data.slice(0, 5).map((h) => [h.date, h.amount, h.status]));
const last = await client.userLastTransaction('deposit', user);
console.log(last.data ? `\n== last deposit of ${user}: ${last.data.date} ${last.data.amount} ${last.data.status}` : `\n== ${user} has no deposit yet`);

// 5. The full-transaction report, every page (amounts stay decimal strings;
//    sum them exactly in integer cents).
const reportUser = process.env.IDN_TOTO_REPORT_USER ?? 'LOREMS';
const reportDate = process.env.IDN_TOTO_REPORT_DATE ?? '2024-05-17';
const rows = [];
for await (const r of client.iterFullTransaction(reportUser, { date: reportDate })) rows.push(r);
table(`full transactions of ${reportUser} on ${reportDate}`, ['date', 'periode', 'game', 'turnover', 'winlose'], rows.map((r) => [r.date, r.periode, r.gamecode, r.turnover, r.winlose]));

// 6. PGA invoices, every page.
const invoices = [];
for await (const i of client.iterPgaTransaction('2024-03-01', '2024-03-31')) invoices.push([i.id_invoice, i.user, i.status, i.amount, i.request_date]);
table('PGA invoices 2024-03-01..2024-03-31', ['invoice', 'user', 'status', 'amount', 'requested'], invoices);

// 7. Games, draws, referrals, banks.
const games = await client.gameList();
table('games', ['gamecode', 'pasar', 'type'], games.data.map((g) => [g.gamecode, g.pasar, g.type]));
if (games.data.length > 0) {
  const draws = await client.numberHistory(games.data[0].gamecode);
  table(`draw results of ${draws.pasar}`, ['periode', 'tanggal', 'angka'], draws.data.slice(0, 5).map((d) => [d.periode, d.tanggal, d.angka]));
}
const referrals = await client.referralList('DOLER');
table('referrals of DOLER', ['user', 'joindate'], referrals.data.map((r) => [r.user, r.joindate]));
console.log(`\n== banks: ${(await client.bankList()).data.join(', ')}`);

// A refusal is a typed error.
try {
  await client.userBalance('no-such-user');
} catch (e) {
  if (!(e instanceof IdnTotoError)) throw e;
  console.log(`\n== userBalance("no-such-user") -> ${e.kind} / ${e.apiKind}: ${e.message}`);
}
