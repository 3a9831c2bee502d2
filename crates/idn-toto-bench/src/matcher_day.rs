//! A realistic day for the deposit matcher's benchmark: `n` pending
//! deposits over one day on six receiving accounts, and the bank credits
//! they would bring, from [`Rng`] (the same seed, the same day).

use idn_toto::{
    Account, Credit, Decimal, MatchRules, NaiveDate, PendingTransaction, TransactionType,
};

use crate::Rng;

const ACCOUNTS: &[(&str, &str)] = &[
    ("BCA", "8830-112-456"),
    ("BCA", "0372-889-101"),
    ("MANDIRI", "137-00-1122334-5"),
    ("BNI", "535-288-9976"),
    ("BRI", "0345-01-002233-50-1"),
    ("DANA", "0812-7788-9900"),
];
const FIRST: &[&str] = &[
    "BUDI", "SITI", "AGUS", "DEWI", "RUDI", "PUTRI", "ANDI", "RINA", "HENDRA", "YULIA", "EKO",
    "WATI", "DIAN", "FAJAR", "INDAH", "JOKO", "MAYA", "TAUFIK", "LUKMAN", "CITRA", "GITA", "OSCAR",
    "ZAKI", "SINTA", "KARTIKA", "BAYU", "LINA", "NINA", "ARIF", "RIZKY",
];
const LAST: &[&str] = &[
    "SANTOSO",
    "WIJAYA",
    "PRATAMA",
    "LESTARI",
    "HIDAYAT",
    "KURNIAWAN",
    "SAPUTRA",
    "NUGROHO",
    "SETIAWAN",
    "RAHMAWATI",
    "HALIM",
    "KUSUMA",
    "SUSILO",
    "PERMATA",
    "HARTONO",
    "MARLINA",
    "AMELIA",
    "GUNAWAN",
    "WIBOWO",
    "SIREGAR",
];
/// The amounts players like (in thousands); the rest carry a unique code.
const ROUND: &[u64] = &[25, 50, 100, 150, 200, 250, 300, 500, 1_000, 2_000];

/// `n` pending deposits and about `n` credits (90% of the deposits paid,
/// 2% twice; 5% of the credits without a sender name, 10% with it cut to
/// 10 characters, 1% delivered twice; the rest of the credits without a
/// request), and the rules that watch the six accounts.
pub fn matcher_day(n: usize, seed: u64) -> (Vec<PendingTransaction>, Vec<Credit>, MatchRules) {
    let mut rng = Rng::new(seed ^ 0x6D61_7463_6865_7232);
    let day = NaiveDate::from_ymd_opt(2024, 5, 16).unwrap_or_default();
    // A second of the day (`secs` < 86,400).
    let at = |secs: u64| {
        let s = secs as u32;
        day.and_hms_opt(s / 3600, s / 60 % 60, s % 60)
            .unwrap_or_default()
    };
    let accounts: Vec<Account> = ACCOUNTS
        .iter()
        .filter_map(|(b, n)| Account::new("account", b, n).ok())
        .collect();
    let mut pending = Vec::with_capacity(n);
    let mut credits = Vec::with_capacity(n + n / 20);
    for i in 0..n {
        let (bank, number) = ACCOUNTS[rng.below(ACCOUNTS.len() as u64) as usize];
        let thousands = if rng.below(10) < 6 {
            ROUND[rng.below(ROUND.len() as u64) as usize] * 1_000
        } else {
            10_000 + rng.below(2_000) * 1_000 + rng.below(1_000)
        };
        let amount = Decimal::from(thousands);
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let secs = rng.below(86_400);
        let id = format!("{}", 300_000_000 + i);
        pending.push(PendingTransaction {
            id: id.clone(),
            user: format!(
                "{}{}",
                name.split(' ').next().unwrap_or("u").to_lowercase(),
                i
            ),
            date: at(secs),
            r#type: TransactionType::Deposit,
            game: "togelku".into(),
            bank_acc_name: name.clone(),
            bank_name: "BCA".into(),
            bank_acc_number: rng.digits(10),
            amount,
            destination_bank: bank.into(),
            destination_acc_number: number.into(),
        });
        if rng.below(10) == 0 {
            continue; // never paid
        }
        let transfers = if rng.below(50) == 0 { 2 } else { 1 };
        for t in 0..transfers {
            let posted = (secs + 60 + rng.below(1_800) + t * 600).min(86_399);
            let sender = match rng.below(20) {
                0 => None,
                1 | 2 => Some(name.chars().take(10).collect()),
                _ => Some(name.clone()),
            };
            let credit = Credit {
                r#ref: format!("MUT{i:07}{t}"),
                account: Account::new("account", bank, number)
                    .unwrap_or_else(|_| accounts[0].clone()),
                posted_at: Some(at(posted)),
                amount,
                sender_name: sender,
                description: Some(format!("TRSF E-BANKING CR {}", rng.digits(6))),
            };
            if rng.below(100) == 0 {
                credits.push(credit.clone());
            }
            credits.push(credit);
        }
    }
    // Money in that no request is for, up to `n` credits.
    let mut k = 0;
    while credits.len() < n {
        let (bank, number) = ACCOUNTS[rng.below(ACCOUNTS.len() as u64) as usize];
        credits.push(Credit {
            r#ref: format!("OTHER{k:07}"),
            account: Account::new("account", bank, number).unwrap_or_else(|_| accounts[0].clone()),
            posted_at: Some(at(rng.below(86_400))),
            amount: Decimal::from(10_000 + rng.below(5_000) * 1_000 + rng.below(1_000)),
            sender_name: Some(format!("{} {}", rng.pick(FIRST), rng.pick(LAST))),
            description: None,
        });
        k += 1;
    }
    (pending, credits, MatchRules::new(accounts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_has_mostly_clear_pairs_and_some_hard_cases() {
        let (pending, credits, rules) = matcher_day(5_000, crate::SEED);
        assert_eq!(pending.len(), 5_000);
        assert!(credits.len() >= 5_000);
        let plan = idn_toto::match_deposits(&pending, &credits, &rules);
        let approved = plan.approve.len();
        eprintln!("{approved} approved, {} held", plan.hold.len());
        assert!(approved > 3_000 && approved < 4_500, "{approved} approved");
        assert!(plan.hold.len() > 500, "{} held", plan.hold.len());
        assert_eq!(
            approved + plan.unclaimed.len(),
            credits
                .iter()
                .map(|c| c.r#ref.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
    }
}
