//! Runs one routed API call against the state and writes the spec's response body.

mod messages;
mod money_moves;
mod reports;

pub(crate) use messages::*;

use crate::config::{HistoryView, Quirks};
use crate::routes::Route;
use crate::state::State;
use crate::wire;

/// An answer: HTTP status and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Reply {
    /// HTTP 200 with `body`.
    pub(crate) fn ok(body: String) -> Reply {
        Reply { status: 200, body }
    }

    /// HTTP 200 with `{"success":false,"message":<message>}`.
    pub(crate) fn failure(message: &str) -> Reply {
        Reply::ok(wire::failure(message))
    }
}

/// Runs `route` (with its POST `body`, if any) against `state`.
pub(crate) fn execute(
    state: &mut State,
    route: Route,
    body: &[u8],
    quirks: Quirks,
    history: HistoryView,
) -> Reply {
    match route {
        Route::TransactionList { kind, bank, name } => {
            reports::transaction_list(state, kind, bank.as_deref(), name.as_deref(), quirks)
        }
        Route::Decide {
            kind,
            trans_id,
            user,
            action,
        } => money_moves::decide(state, kind, &trans_id, &user, &action),
        Route::DecideBatch { kind } => money_moves::decide_batch(state, kind, body),
        Route::ManualBatch { kind } => money_moves::manual_batch(state, kind, body),
        Route::Manual { kind, user, amount } => money_moves::manual(state, kind, &user, &amount),
        Route::PlayerInfo { user } => reports::player_info(state, &user),
        Route::History { kind, user } => reports::history(state, kind, &user, history),
        Route::Latest { kind, user } => reports::latest(state, kind, &user),
        Route::GameList => reports::game_list(state),
        Route::NumberHistory { gamecode } => reports::number_history(state, &gamecode),
        Route::Referral { user } => reports::referral(state, &user),
        Route::FullTransaction { user, page, date } => {
            reports::full_transaction(state, &user, &page, date.as_deref(), quirks)
        }
        Route::Pga => reports::pga(state, body),
        Route::BankList => reports::bank_list(state, quirks),
    }
}
