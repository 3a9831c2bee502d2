//! The read-only endpoints: lists, balances, histories, games, reports, invoices.

use serde_json::Value;

use super::{messages as msg, Reply};
use crate::config::{HistoryOrder, HistoryView, Quirks};
use crate::dates;
use crate::model::{HistoryEntry, InvoiceStatus, TxKind};
use crate::money::Money;
use crate::state::State;
use crate::wire::{self, Obj};

/// A 1-based page number from path or body text.
fn page_number(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<usize>().ok().filter(|page| *page >= 1)
}

/// Number of pages for `total` rows (0 when there are none).
fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1))
}

/// The rows of page `page` (1-based); empty past the end.
fn page_of<T>(rows: &[T], page: usize, per_page: usize) -> &[T] {
    let start = (page - 1).saturating_mul(per_page).min(rows.len());
    let end = start.saturating_add(per_page).min(rows.len());
    &rows[start..end]
}

/// 1. Get Transaction List.
pub(super) fn transaction_list(
    state: &State,
    kind: TxKind,
    bank: Option<&str>,
    name: Option<&str>,
    quirks: Quirks,
) -> Reply {
    let bank = bank.map(str::to_lowercase);
    let name = name
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty());
    let rows = state
        .pending
        .iter()
        .filter(|p| p.kind == kind)
        .filter(|p| {
            bank.as_ref()
                .is_none_or(|b| p.destination_bank.to_lowercase() == *b)
        })
        .filter(|p| {
            name.as_ref()
                .is_none_or(|n| p.destination_acc_name.to_lowercase() == *n)
        })
        .map(|p| {
            let user = &state.users[p.user];
            let date = match quirks {
                Quirks::Spec => p.date.clone(),
                Quirks::None => wire::string(&p.date),
            };
            Obj::new()
                .str("id", &p.id)
                .str("user", &user.user)
                .raw("date", &date)
                .str("type", p.kind.as_str())
                .str("game", &user.game)
                .str("bank_acc_name", &user.bank_acc_name)
                .str("bank_name", &user.bank_name)
                .str("bank_acc_number", &user.bank_acc_number)
                .str("amount", &p.amount.fixed(4))
                .str("destination_bank", &p.destination_bank)
                .str("destination_acc_number", &p.destination_acc_number)
                .finish()
        });
    Reply::ok(wire::keyed(rows))
}

/// 5. Check User Balance.
pub(super) fn player_info(state: &State, user: &str) -> Reply {
    let Some(index) = state.find_user(user) else {
        return Reply::failure(msg::USER_NOT_FOUND);
    };
    let user = &state.users[index];
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .str("user", &user.user)
            .str("balance", &user.balance.fixed(2))
            .finish(),
    )
}

fn history_entry(entry: &HistoryEntry) -> String {
    Obj::new()
        .str("date", &entry.date)
        .str("amount", &entry.amount.plain())
        .str("status", entry.status.as_str())
        .finish()
}

/// Check User Deposit/Withdraw History (endpoint 6): newest first unless
/// `view` says otherwise, at most `view.cap` entries.
pub(super) fn history(state: &State, kind: TxKind, user: &str, view: HistoryView) -> Reply {
    let Some(index) = state.find_user(user) else {
        return Reply::failure(msg::USER_NOT_FOUND);
    };
    let mut entries: Vec<&HistoryEntry> = state.history_of(index, kind).collect();
    if view.order == HistoryOrder::Oldest {
        entries.reverse();
    }
    entries.truncate(view.cap.unwrap_or(usize::MAX));
    let data = wire::array(entries.into_iter().map(history_entry));
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .str("user", &state.users[index].user)
            .raw("data", &data)
            .finish(),
    )
}

/// 7. Get User Last Deposit/Withdraw (`"data":{}` when there is none).
pub(super) fn latest(state: &State, kind: TxKind, user: &str) -> Reply {
    let Some(index) = state.find_user(user) else {
        return Reply::failure(msg::USER_NOT_FOUND);
    };
    let data = state
        .history_of(index, kind)
        .next()
        .map_or_else(|| String::from("{}"), history_entry);
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .str("user", &state.users[index].user)
            .raw("data", &data)
            .finish(),
    )
}

/// 8. Get Game List.
pub(super) fn game_list(state: &State) -> Reply {
    let data = wire::array(state.seed.games.iter().map(|game| {
        Obj::new()
            .str("gamecode", &game.gamecode)
            .str("pasar", &game.pasar)
            .str("type", &game.kind)
            .finish()
    }));
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .raw("data", &data)
            .finish(),
    )
}

/// 9. Get Number History (the last 10 draws, newest first).
pub(super) fn number_history(state: &State, gamecode: &str) -> Reply {
    let Some(game) = state
        .seed
        .games
        .iter()
        .find(|game| game.gamecode.eq_ignore_ascii_case(gamecode))
    else {
        return Reply::failure(msg::INVALID_GAME);
    };
    let data = wire::array(game.results.iter().rev().take(10).map(|draw| {
        Obj::new()
            .str("periode", &draw.periode)
            .str("tanggal", &draw.tanggal)
            .str("angka", &draw.angka)
            .finish()
    }));
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .str("gamecode", &game.gamecode)
            .str("pasar", &game.pasar)
            .str("type", &game.kind)
            .raw("data", &data)
            .finish(),
    )
}

/// 10. Get Referral List.
pub(super) fn referral(state: &State, user: &str) -> Reply {
    let Some(index) = state.find_user(user) else {
        return Reply::failure(msg::INVALID_USER);
    };
    let upline = state.users[index].user.to_lowercase();
    let data = wire::array(
        state
            .users
            .iter()
            .filter(|u| {
                u.referrer
                    .as_ref()
                    .is_some_and(|r| r.to_lowercase() == upline)
            })
            .map(|u| {
                Obj::new()
                    .str("user", &u.user)
                    .str("joindate", &u.joindate)
                    .finish()
            }),
    );
    Reply::ok(
        Obj::new()
            .bool("success", true)
            .str("message", msg::SUCCESS)
            .raw("data", &data)
            .finish(),
    )
}

/// 11. Get Full Transaction.
pub(super) fn full_transaction(
    state: &State,
    user: &str,
    page: &str,
    date: Option<&str>,
    quirks: Quirks,
) -> Reply {
    let Some(index) = state.find_user(user) else {
        return Reply::failure(msg::INVALID_USER);
    };
    let day = match date {
        None | Some("") => state.seed.today(),
        Some(text) => match dates::parse_ymd(text) {
            Some(_) => text.to_owned(),
            None => return Reply::failure(msg::INVALID_DATE),
        },
    };
    let Some(page) = page_number(page) else {
        return Reply::failure(msg::INVALID_PAGE);
    };
    let rows: Vec<_> = state
        .seed
        .full_transactions
        .iter()
        .filter(|row| row.user == index && row.date == day)
        .collect();
    let per_page = state.seed.full_transaction_page_size;
    let data = wire::array(page_of(&rows, page, per_page).iter().map(|row| {
        Obj::new()
            .str("user", &state.users[row.user].user)
            .str("date", &row.date)
            .str("periode", &row.periode)
            .str("gamecode", &row.gamecode)
            .str("pasar", &row.pasar)
            .str("turnover", &row.turnover.fixed(2))
            .str("winlose", &row.winlose.fixed(2))
            .finish()
    }));
    let mut obj = Obj::new()
        .bool("success", true)
        .str("message", msg::SUCCESS)
        .str("total_data", &format!("{} Rows", rows.len()))
        .str(
            "total_page",
            &format!("{} Page(s)", page_count(rows.len(), per_page)),
        );
    if quirks == Quirks::Spec {
        obj = obj.str("message", msg::SUCCESS);
    }
    Reply::ok(obj.raw("data", &data).finish())
}

/// An optional text filter: absent, null and `""` all mean "no filter".
fn filter_text(body: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ()> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(_) => Err(()),
    }
}

/// 12. Get PGA Transaction History (no `success` field on success, as in the spec).
pub(super) fn pga(state: &State, body: &[u8]) -> Reply {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return Reply::failure(msg::OOPS);
    };
    let (Ok(user), Ok(ref_no), Ok(status)) = (
        filter_text(&body, "user"),
        filter_text(&body, "ref_no"),
        filter_text(&body, "status"),
    ) else {
        return Reply::failure(msg::OOPS);
    };
    let user = match user {
        None => None,
        Some(name) => match state.find_user(&name) {
            Some(index) => Some(index),
            None => return Reply::failure(msg::INVALID_USER),
        },
    };
    let status = match status.map(|s| s.to_lowercase()).as_deref() {
        None | Some("all") => None,
        Some("paid") => Some(InvoiceStatus::Accepted),
        Some("unpaid") => Some(InvoiceStatus::Unpaid),
        Some("expired") => Some(InvoiceStatus::Expired),
        Some(_) => return Reply::failure(msg::INVALID_STATUS),
    };
    let (Ok(Some(start)), Ok(Some(end))) = (
        filter_text(&body, "start_date"),
        filter_text(&body, "end_date"),
    ) else {
        return Reply::failure(msg::DATES_REQUIRED);
    };
    let (Some(start), Some(end)) = (dates::parse_ymd(&start), dates::parse_ymd(&end)) else {
        return Reply::failure(msg::INVALID_DATE);
    };
    if start > end {
        return Reply::failure(msg::INVALID_DATE);
    }
    let page = match body.get("page") {
        None | Some(Value::Null) => Some(1),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n >= 1),
        Some(Value::String(text)) => page_number(text),
        Some(_) => None,
    };
    let Some(page) = page else {
        return Reply::failure(msg::INVALID_PAGE);
    };

    let (start, end) = (start.to_string(), end.to_string());
    let rows: Vec<_> = state
        .seed
        .pga
        .iter()
        .filter(|inv| user.is_none_or(|u| inv.user == u))
        .filter(|inv| {
            ref_no
                .as_ref()
                .is_none_or(|r| inv.ref_no.eq_ignore_ascii_case(r))
        })
        .filter(|inv| status.is_none_or(|s| inv.status == s))
        .filter(|inv| {
            let day = dates::day_of(&inv.request_date);
            start.as_str() <= day && day <= end.as_str()
        })
        .collect();
    let per_page = state.seed.pga_per_page;
    let shown = page_of(&rows, page, per_page);
    let sum = |rows: &[&crate::model::Invoice]| {
        rows.iter()
            .fold(Money::ZERO, |total, inv| total.saturating_add(inv.amount))
    };
    let data = wire::keyed(shown.iter().map(|inv| {
        Obj::new()
            .str("id_invoice", &inv.id_invoice)
            .str("ref_no", &inv.ref_no)
            .str("status", inv.status.as_str())
            .str("by", &inv.by)
            .str("user", &state.users[inv.user].user)
            .str("request_date", &inv.request_date)
            .str("processed_date", &inv.processed_date)
            .str("amount", &inv.amount.plain())
            .str("destination_bank", &inv.destination_bank)
            .finish()
    }));
    Reply::ok(
        Obj::new()
            .uint("row", shown.len() as u64)
            .uint("total_row", rows.len() as u64)
            .uint("page", page as u64)
            .uint("per_page", per_page as u64)
            .uint("total_page", page_count(rows.len(), per_page) as u64)
            .raw("total_amount_page", &sum(shown).plain())
            .raw("total_amount_all", &sum(&rows).plain())
            .raw("data", &data)
            .finish(),
    )
}

/// 13. Get Bank List.
pub(super) fn bank_list(state: &State, quirks: Quirks) -> Reply {
    let data = wire::array(state.seed.banks.iter().map(|bank| wire::string(bank)));
    let body = Obj::new().bool("success", true).raw("data", &data).finish();
    match quirks {
        Quirks::None => Reply::ok(body),
        // The spec's example has no outer braces.
        Quirks::Spec => Reply::ok(
            body.strip_prefix('{')
                .and_then(|inner| inner.strip_suffix('}'))
                .unwrap_or(&body)
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{page_count, page_number, page_of};

    #[test]
    fn pages() {
        assert_eq!(page_number("1"), Some(1));
        assert_eq!(page_number("0"), None);
        assert_eq!(page_number("-1"), None);
        assert_eq!(page_number("+1"), None);
        assert_eq!(page_number("99999999999999999999999"), None);
        assert_eq!(page_count(0, 10), 0);
        assert_eq!(page_count(23, 10), 3);
        let rows = [1, 2, 3];
        assert_eq!(page_of(&rows, 2, 2), &[3]);
        assert!(page_of(&rows, usize::MAX, 2).is_empty());
    }
}
