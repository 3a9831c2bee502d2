//! A back-office story against the API (or the sandbox): list pending
//! deposits and withdrawals, accept and reject a batch, post a manual
//! correction, show balances, history and the last transaction, page through
//! the full-transaction report and PGA invoices, list games, draw results,
//! referrals and banks.
//!
//! Every call goes through `idn_toto_client::blocking::Client`: the story
//! is all there is; retries, `Retry-After`, batches, paging and settling are
//! the core's, sending and sleeping the client's.
//!
//! ```text
//! IDN_TOTO_BASE_URL=http://127.0.0.1:8080/home.php IDN_TOTO_TOKEN=... \
//!     cargo run -p idn-toto-client --example back_office
//! ```

use idn_toto_client::blocking::Client;
use idn_toto_client::idn_toto::{
    AcceptRejectItem, AcceptRejectParams, Action, Amount, BankListParams, Error,
    FullTransactionParams, GameListParams, ManualTransactionParams, MultipleItem,
    NumberHistoryParams, Page, PgaTransactionParams, ReferralListParams, Segment, Text,
    TransactionListParams, TxType, UserBalanceParams, UserHistoryParams, UserLastTransactionParams,
};

fn main() {
    if let Err(e) = run() {
        eprintln!("back_office: {e}");
        std::process::exit(1);
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn table(title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    println!("\n== {title} ({} rows)", rows.len());
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("  {}", parts.join("  ").trim_end());
    };
    line(header.iter().map(|h| (*h).to_owned()).collect());
    line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for row in rows {
        line(row);
    }
}

fn run() -> Result<(), Error> {
    // IDN_TOTO_BASE_URL and IDN_TOTO_TOKEN. Settling waits 1 s (default
    // 5 s) before a read that could conclude `not_applied`: the sandbox
    // answers at once.
    let client = idn_toto_client::ClientBuilder::<Client>::from_env()?
        .settle_delay(std::time::Duration::from_secs(1))
        .build()?;
    println!(
        "idn-toto back-office story (Rust) against {}",
        client.core().base_url()
    );

    // 1. Pending deposits and withdrawals.
    let deposits = client.send(&TransactionListParams {
        r#type: TxType::Deposit,
        bank: None,
        name: None,
    })?;
    let withdrawals = client.send(&TransactionListParams {
        r#type: TxType::Withdraw,
        bank: None,
        name: None,
    })?;
    for (title, list) in [
        ("pending deposits", &deposits),
        ("pending withdrawals", &withdrawals),
    ] {
        let rows = list
            .data
            .iter()
            .take(8)
            .map(|t| {
                vec![
                    t.id.clone(),
                    t.user.clone(),
                    t.date.to_string(),
                    t.amount.to_string(),
                    t.destination_bank.clone(),
                ]
            })
            .collect();
        table(title, &["id", "user", "date", "amount", "bank"], rows);
    }

    // 2. Accept two deposits and reject one, in one batch.
    let picked: Vec<_> = deposits.data.iter().take(3).collect();
    let items = picked
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(MultipleItem::AcceptReject(AcceptRejectItem {
                trans_id: Text::new("trans_id", t.id.clone())?,
                user: Text::new("user", t.user.clone())?,
                action: if i < 2 {
                    Action::Accept
                } else {
                    Action::Reject
                },
                comment: Text::new("comment", format!("demo batch {}", i + 1))?,
                operator: Text::new("operator", "OP01")?,
            }))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    if !items.is_empty() {
        let outcomes = client.batch(TxType::Deposit, items)?;
        let rows = outcomes
            .iter()
            .map(|o| {
                vec![
                    o.trans_id.clone().unwrap_or_default(),
                    o.user.clone(),
                    format!("{:?}", o.status).to_lowercase(),
                    o.message.clone().unwrap_or_default(),
                ]
            })
            .collect();
        table(
            "batch accept/reject",
            &["trans_id", "user", "outcome", "message"],
            rows,
        );
    }

    // 2b. An answer lost on its way back: the sandbox processes this accept,
    // then answers 500 (its `500-after` fault). The outcome is unknown, so
    // it is never sent again; reads settle it.
    if let Some(t) = deposits.data.get(3) {
        let lost = AcceptRejectParams {
            r#type: TxType::Deposit,
            trans_id: Segment::new("trans_id", t.id.clone())?,
            user: Segment::new("user", t.user.clone())?,
            action: Action::Accept,
            comment: Segment::new("comment", "demo lost answer")?,
            operator: Segment::new("operator", "OP01")?,
        };
        // The sandbox's fault header, on this one client only.
        let faulty = idn_toto_client::ClientBuilder::<Client>::from_env()?
            .header("X-Sandbox-Fault", "500-after")
            .build()?;
        match faulty.send(&lost) {
            Ok(done) => println!("\n== accept {}: {}", t.id, done.message),
            Err(e @ Error::OutcomeUnknown { .. }) => {
                println!("\n== accept {}: {e}", t.id);
                // The error carries what settling needs.
                let Some(unsettled) = e.unsettled() else {
                    return Err(e);
                };
                let settled = client.settle(unsettled)?;
                println!(
                    "   settled: {} ({})",
                    settled.state.as_str(),
                    settled.reason
                );
                for e in &settled.evidence {
                    println!("   - {}", e.showed);
                }
            }
            Err(e) => return Err(e),
        }
    }

    // 3. A manual correction for the first user.
    let user = picked
        .first()
        .map_or("LOREM".to_owned(), |t| t.user.clone());
    let manual = ManualTransactionParams {
        r#type: TxType::Deposit,
        user: Segment::new("user", user.clone())?,
        comment: Segment::new("comment", "demo correction")?,
        amount: Amount::parse("amount", "2500.50")?,
        operator: Segment::new("operator", "OP01")?,
    };
    let done = client.send(&manual)?;
    println!(
        "\n== manual deposit of 2500.50 for {user}: {}",
        done.message
    );

    // 4. Balances, history, last transaction.
    let mut users: Vec<String> = picked.iter().map(|t| t.user.clone()).collect();
    users.dedup();
    let mut rows = Vec::new();
    for u in &users {
        let b = client.send(&UserBalanceParams {
            user: Segment::new("user", u.clone())?,
        })?;
        rows.push(vec![b.user, b.balance.to_string()]);
    }
    table("balances", &["user", "balance"], rows);
    let who = Segment::new("user", user.clone())?;
    let history = client.send(&UserHistoryParams {
        r#type: TxType::Deposit,
        user: who.clone(),
    })?;
    let rows = history
        .data
        .iter()
        .take(5)
        .map(|h| {
            vec![
                h.date.to_string(),
                h.amount.to_string(),
                h.status.to_string(),
            ]
        })
        .collect();
    table(
        &format!("deposit history of {user}"),
        &["date", "amount", "status"],
        rows,
    );
    let last = client.send(&UserLastTransactionParams {
        r#type: TxType::Deposit,
        user: who,
    })?;
    match last.data {
        Some(h) => println!(
            "\n== last deposit of {user}: {} {} {}",
            h.date, h.amount, h.status
        ),
        None => println!("\n== {user} has no deposit yet"),
    }

    // 5. The full-transaction report, every page.
    let report_user = env("IDN_TOTO_REPORT_USER", "LOREMS");
    let report_date = env("IDN_TOTO_REPORT_DATE", "2024-05-17");
    let date = idn_toto_client::idn_toto::NaiveDate::parse_from_str(&report_date, "%Y-%m-%d")
        .map_err(|_| Error::InvalidRequest {
            field: "date".into(),
            reason: "must be YYYY-MM-DD".into(),
        })?;
    // The core says which page comes next; the client sends each one.
    let first = FullTransactionParams {
        user: Segment::new("user", report_user.clone())?,
        page: Page::FIRST,
        date: Some(date),
    };
    let mut report = client.pages(first);
    let (mut rows, mut turnover, mut winlose) = (
        Vec::new(),
        idn_toto_client::idn_toto::Decimal::ZERO,
        idn_toto_client::idn_toto::Decimal::ZERO,
    );
    for r in report.by_ref() {
        let r = r?;
        turnover += r.turnover;
        winlose += r.winlose;
        rows.push(vec![
            r.date.to_string(),
            r.periode.clone(),
            r.gamecode.clone(),
            r.turnover.to_string(),
            r.winlose.to_string(),
        ]);
    }
    let pages = report.pages_read();
    table(
        &format!("full transactions of {report_user} on {report_date}, {pages} pages"),
        &["date", "periode", "game", "turnover", "winlose"],
        rows,
    );
    println!("  total turnover {turnover}, total winlose {winlose}");

    // 6. PGA invoices, every page.
    let start = idn_toto_client::idn_toto::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default();
    let end = idn_toto_client::idn_toto::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default();
    let mut rows = Vec::new();
    for i in client.pages(PgaTransactionParams::new(start, end, Page::FIRST)?) {
        let i = i?;
        rows.push(vec![
            i.id_invoice.clone(),
            i.user.clone(),
            i.status.to_string(),
            i.amount.to_string(),
            i.request_date.to_string(),
        ]);
    }
    table(
        "PGA invoices 2024-03-01..2024-03-31",
        &["invoice", "user", "status", "amount", "requested"],
        rows,
    );

    // 7. Games, draws, referrals, banks.
    let games = client.send(&GameListParams)?;
    let rows = games
        .data
        .iter()
        .map(|g| vec![g.gamecode.clone(), g.pasar.clone(), g.r#type.clone()])
        .collect();
    table("games", &["gamecode", "pasar", "type"], rows);
    if let Some(game) = games.data.first() {
        let draws = client.send(&NumberHistoryParams {
            gamecode: Segment::new("gamecode", game.gamecode.clone())?,
        })?;
        let rows = draws
            .data
            .iter()
            .take(5)
            .map(|d| vec![d.periode.clone(), d.tanggal.to_string(), d.angka.clone()])
            .collect();
        table(
            &format!("draw results of {}", draws.pasar),
            &["periode", "tanggal", "angka"],
            rows,
        );
    }
    let referrals = client.send(&ReferralListParams {
        user: Segment::new("user", "DOLER")?,
    })?;
    let rows = referrals
        .data
        .iter()
        .map(|r| vec![r.user.clone(), r.joindate.to_string()])
        .collect();
    table("referrals of DOLER", &["user", "joindate"], rows);
    let banks = client.send(&BankListParams)?;
    println!("\n== banks: {}", banks.data.join(", "));
    Ok(())
}
