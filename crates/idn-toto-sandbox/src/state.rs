//! The sandbox's mutable world: balances, pending transactions, history.
//!
//! Everything lives in one [`State`] that the server guards with one mutex, so each
//! operation below is atomic. No IO, no wall clock: time is a logical clock that starts
//! on the seed's "today" at 18:00:00.000 and advances one second per recorded event.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};

use crate::dates;
use crate::model::{HistoryEntry, Pending, Status, TxKind, User};
use crate::money::Money;
use crate::seed::Seed;

/// Why accepting or rejecting a pending transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecideError {
    /// No pending transaction with this id, type and user.
    NotFound,
    /// A withdrawal larger than the balance; it stays pending.
    InsufficientBalance,
}

/// Why a manual transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManualError {
    /// No such user.
    UnknownUser,
    /// A withdrawal larger than the balance.
    InsufficientBalance,
    /// The new balance would pass the sandbox's limit.
    TooLarge,
}

/// The mutable world plus the seed it started from.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) seed: Arc<Seed>,
    pub(crate) users: Vec<User>,
    index: HashMap<String, usize>,
    /// In seed order; processed entries are removed.
    pub(crate) pending: Vec<Pending>,
    /// Oldest first.
    pub(crate) history: Vec<HistoryEntry>,
    clock: NaiveDateTime,
}

impl State {
    /// A fresh world from `seed`.
    pub(crate) fn new(seed: Arc<Seed>) -> State {
        let index = seed
            .users
            .iter()
            .enumerate()
            .map(|(i, user)| (user.user.to_lowercase(), i))
            .collect();
        let clock = seed.today.and_time(NaiveTime::MIN) + TimeDelta::hours(18);
        State {
            users: seed.users.clone(),
            pending: seed.pending.clone(),
            history: seed.history.clone(),
            index,
            clock,
            seed,
        }
    }

    /// The index of the user called `name` (case-insensitive).
    pub(crate) fn find_user(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_lowercase()).copied()
    }

    /// Accepts or rejects the pending transaction `trans_id` of type `kind` for `user`.
    pub(crate) fn decide(
        &mut self,
        kind: TxKind,
        trans_id: &str,
        user: &str,
        status: Status,
    ) -> Result<(), DecideError> {
        let user = self.find_user(user).ok_or(DecideError::NotFound)?;
        let position = self
            .pending
            .iter()
            .position(|p| p.id == trans_id && p.kind == kind && p.user == user)
            .ok_or(DecideError::NotFound)?;
        let amount = self.pending[position].amount;
        if status == Status::Accept {
            let balance = self.users[user].balance;
            let new_balance = match kind {
                TxKind::Deposit => balance.checked_add(amount),
                TxKind::Withdraw => balance.checked_sub(amount).filter(|b| *b >= Money::ZERO),
            };
            self.users[user].balance = new_balance.ok_or(DecideError::InsufficientBalance)?;
        }
        self.pending.remove(position);
        self.record(user, kind, amount, status);
        Ok(())
    }

    /// Credits or debits `user` directly; recorded in the history as `ACCEPT`.
    pub(crate) fn manual(
        &mut self,
        kind: TxKind,
        user: &str,
        amount: Money,
    ) -> Result<(), ManualError> {
        let user = self.find_user(user).ok_or(ManualError::UnknownUser)?;
        let balance = self.users[user].balance;
        self.users[user].balance = match kind {
            TxKind::Deposit => balance.checked_add(amount).ok_or(ManualError::TooLarge)?,
            TxKind::Withdraw => balance
                .checked_sub(amount)
                .filter(|b| *b >= Money::ZERO)
                .ok_or(ManualError::InsufficientBalance)?,
        };
        self.record(user, kind, amount, Status::Accept);
        Ok(())
    }

    /// `user`'s processed transactions of type `kind`, newest first.
    pub(crate) fn history_of(
        &self,
        user: usize,
        kind: TxKind,
    ) -> impl Iterator<Item = &HistoryEntry> {
        self.history
            .iter()
            .rev()
            .filter(move |entry| entry.user == user && entry.kind == kind)
    }

    fn record(&mut self, user: usize, kind: TxKind, amount: Money, status: Status) {
        let date = dates::format_ms(self.clock);
        self.clock += TimeDelta::seconds(1);
        self.history.push(HistoryEntry {
            user,
            kind,
            date,
            amount,
            status,
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{DecideError, ManualError, State};
    use crate::model::{Status, TxKind};
    use crate::money::Money;
    use crate::seed::Seed;

    fn state() -> State {
        State::new(Arc::new(Seed::builtin()))
    }

    #[test]
    fn accept_credits_once() {
        let mut state = state();
        let pending = state
            .pending
            .iter()
            .find(|p| p.kind == TxKind::Deposit)
            .cloned()
            .expect("a pending deposit");
        let name = state.users[pending.user].user.clone();
        let before = state.users[pending.user].balance;
        assert_eq!(
            state.decide(TxKind::Withdraw, &pending.id, &name, Status::Accept),
            Err(DecideError::NotFound)
        );
        assert_eq!(
            state.decide(
                TxKind::Deposit,
                &pending.id,
                &name.to_uppercase(),
                Status::Accept
            ),
            Ok(())
        );
        assert_eq!(
            state.decide(TxKind::Deposit, &pending.id, &name, Status::Accept),
            Err(DecideError::NotFound)
        );
        assert_eq!(
            state.users[pending.user].balance,
            before.checked_add(pending.amount).expect("small")
        );
        let latest = state
            .history_of(pending.user, TxKind::Deposit)
            .next()
            .expect("recorded");
        assert_eq!(latest.date, "2024-05-17 18:00:00.000");
        assert_eq!(latest.status, Status::Accept);
    }

    #[test]
    fn manual_withdrawal_cannot_overdraw() {
        let mut state = state();
        let huge = Money::parse("999999999").expect("amount");
        assert_eq!(
            state.manual(TxKind::Withdraw, "LOREM", huge),
            Err(ManualError::InsufficientBalance)
        );
        assert_eq!(
            state.manual(TxKind::Deposit, "nobody", huge),
            Err(ManualError::UnknownUser)
        );
        let all = state.users[0].balance;
        assert_eq!(state.manual(TxKind::Withdraw, "lorem", all), Ok(()));
        assert_eq!(state.users[0].balance, Money::ZERO);
    }
}
