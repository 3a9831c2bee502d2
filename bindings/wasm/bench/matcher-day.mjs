// Times the package's matchDeposits on one day of N pending deposits and N
// bank credits (default 50,000 each), generated deterministically: a
// simplified port of crates/idn-toto-bench/src/matcher_day.rs (the same
// SplitMix64 generator and shape: six accounts, 60% round amounts, 90% of
// the requests paid, 2% twice, 5% of the credits without a sender name, 10%
// with it cut to 10 characters, 1% delivered twice, the rest money in that
// no request is for). Not the Rust day byte for byte: the same kind of day.
//
//   node bindings/wasm/bench/matcher-day.mjs [N] [ROUNDS]
//
// Prints the plan's counts and the median of ROUNDS (default 5) timed runs,
// from the JS objects in to the plan's JS object out (the package's whole
// matchDeposits: the exactness check, the wasm call, JSON.parse).
import { matchDeposits } from '../pkg/index.mjs';

const n = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 5);

const ACCOUNTS = [
  ['BCA', '8830-112-456'], ['BCA', '0372-889-101'], ['MANDIRI', '137-00-1122334-5'],
  ['BNI', '535-288-9976'], ['BRI', '0345-01-002233-50-1'], ['DANA', '0812-7788-9900'],
];
const FIRST = ['BUDI', 'SITI', 'AGUS', 'DEWI', 'RUDI', 'PUTRI', 'ANDI', 'RINA', 'HENDRA', 'YULIA', 'EKO', 'WATI', 'DIAN',
  'FAJAR', 'INDAH', 'JOKO', 'MAYA', 'TAUFIK', 'LUKMAN', 'CITRA', 'GITA', 'OSCAR', 'ZAKI', 'SINTA', 'KARTIKA', 'BAYU',
  'LINA', 'NINA', 'ARIF', 'RIZKY'];
const LAST = ['SANTOSO', 'WIJAYA', 'PRATAMA', 'LESTARI', 'HIDAYAT', 'KURNIAWAN', 'SAPUTRA', 'NUGROHO', 'SETIAWAN',
  'RAHMAWATI', 'HALIM', 'KUSUMA', 'SUSILO', 'PERMATA', 'HARTONO', 'MARLINA', 'AMELIA', 'GUNAWAN', 'WIBOWO', 'SIREGAR'];
const ROUND = [25, 50, 100, 150, 200, 250, 300, 500, 1_000, 2_000];

/** SplitMix64, as crates/idn-toto-bench's `Rng`. */
function rng(seed) {
  let state = BigInt.asUintN(64, seed);
  const next = () => {
    state = BigInt.asUintN(64, state + 0x9E3779B97F4A7C15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    return z ^ (z >> 31n);
  };
  const below = (k) => Number(next() % BigInt(k));
  return { below, pick: (items) => items[below(items.length)] };
}

const pad = (v) => String(v).padStart(2, '0');
/** A second of 2024-05-16 as the pending list and the statement write it. */
const at = (secs) => `2024-05-16 ${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;

export function matcherDay(count, seed = 0x5EEDn) {
  const r = rng(seed ^ 0x6D61746368657232n);
  const pending = [];
  const credits = [];
  for (let i = 0; i < count; i += 1) {
    const [bank, number] = ACCOUNTS[r.below(ACCOUNTS.length)];
    const amount = String(r.below(10) < 6
      ? ROUND[r.below(ROUND.length)] * 1_000
      : 10_000 + r.below(2_000) * 1_000 + r.below(1_000));
    const name = `${r.pick(FIRST)} ${r.pick(LAST)}`;
    const secs = r.below(86_400);
    pending.push({
      id: String(300_000_000 + i), user: `${name.split(' ')[0].toLowerCase()}${i}`, date: at(secs), type: 'deposit',
      game: 'togelku', bank_acc_name: name, bank_name: 'BCA', bank_acc_number: String(1_000_000_000 + r.below(9_000_000_000)),
      amount, destination_bank: bank, destination_acc_number: number,
    });
    if (r.below(10) === 0) continue; // never paid
    const transfers = r.below(50) === 0 ? 2 : 1;
    for (let t = 0; t < transfers; t += 1) {
      const posted = Math.min(secs + 60 + r.below(1_800) + t * 600, 86_399);
      const s = r.below(20);
      const credit = {
        ref: `MUT${String(i).padStart(7, '0')}${t}`, account: `${bank}:${number}`, posted_at: at(posted), amount,
        sender_name: s === 0 ? null : s <= 2 ? name.slice(0, 10) : name, description: `TRSF E-BANKING CR ${r.below(1_000_000)}`,
      };
      if (r.below(100) === 0) credits.push({ ...credit });
      credits.push(credit);
    }
  }
  for (let k = 0; credits.length < count; k += 1) {
    const [bank, number] = ACCOUNTS[r.below(ACCOUNTS.length)];
    credits.push({
      ref: `OTHER${String(k).padStart(7, '0')}`, account: `${bank}:${number}`, posted_at: at(r.below(86_400)),
      amount: String(10_000 + r.below(5_000) * 1_000 + r.below(1_000)), sender_name: `${r.pick(FIRST)} ${r.pick(LAST)}`,
    });
  }
  return { pending, credits, rules: { accounts: ACCOUNTS.map(([b, num]) => `${b}:${num}`) } };
}

const day = matcherDay(n);
const times = [];
let plan;
for (let k = 0; k < rounds; k += 1) {
  const start = process.hrtime.bigint();
  plan = matchDeposits(day.pending, day.credits, day.rules);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({
  pending: day.pending.length, credits: day.credits.length,
  approve: plan.approve.length, hold: plan.hold.length, unclaimed: plan.unclaimed.length,
  rounds, median_ms: Math.round(median), min_ms: Math.round(times[0]), max_ms: Math.round(times[times.length - 1]),
}));
