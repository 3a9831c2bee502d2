//! The journal of money moves: one JSON line per event, written by the host
//! (append, then fsync), read back after a crash to find what is unsettled.
//!
//! The core makes and reads the lines; it has no files, no clock and no
//! randomness: the host gives each money-moving item its `id` and each line
//! its timestamp. Every line is one object:
//!
//! ```json
//! {"id":"b7-0001","event":"intent","endpoint":"manual_transaction","params":{"type":"deposit","user":"LOREM","amount":"2500.50","comment":"c","operator":"OP01"},"at":"2026-11-30T12:00:00Z","snapshot":{"entries":[]},"server":"3f9a0c2e5b7d1a64"}
//! {"id":"b7-0001","event":"outcome","endpoint":"manual_transaction","params":{...},"state":"unknown","at":"...","server":"3f9a0c2e5b7d1a64"}
//! {"id":"b7-0001","event":"settled","endpoint":"manual_transaction","params":{...},"state":"applied","at":"...","server":"3f9a0c2e5b7d1a64"}
//! ```
//!
//! `intent` is written (and synced) before the request leaves, `outcome`
//! after its answer (`succeeded`, `failed` or `unknown`), `settled` after a
//! settlement (`applied`, `not_applied` or `undetermined`). An id whose
//! last word is an intent, an `unknown` outcome or an `undetermined`
//! settlement is *unsettled*. The params are the item's canonical
//! parameters (with `type`), never the token; `server` is the fingerprint
//! of the server it was sent to (never the token: see
//! [`crate::Client::fingerprint`]), and settling with a client of another
//! server is refused.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::batch::ItemStatus;
use crate::protocol::settle::SettleState;
use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use crate::schema::moves::{MoneyMove, MoveParams};
use crate::schema::operation_key::OperationKey;
use crate::schema::unsettled::{Snapshot, Unsettled};

/// What a journal line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalEvent {
    /// About to send (written before the request leaves).
    Intent,
    /// The answer: `succeeded`, `failed` or `unknown`.
    Outcome,
    /// A settlement: `applied`, `not_applied` or `undetermined`.
    Settled,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    /// The money-moving item, named by the host (one per item).
    pub id: String,
    /// What happened.
    pub event: JournalEvent,
    /// `accept_reject`, `multiple_transaction` or `manual_transaction`.
    #[serde(with = "crate::schema::id::endpoint_id")]
    pub endpoint: EndpointId,
    /// The item's canonical parameters, `type` included; never the token
    /// (with the move they describe, read once when the line is made or
    /// read).
    pub params: MoveParams,
    /// For `outcome`: `succeeded`, `failed` or `unknown`; for `settled`:
    /// `applied`, `not_applied` or `undetermined`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// When, as the host's clock says (RFC 3339 text).
    pub at: String,
    /// For manual items: the user's history read before sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// The server's message or what went wrong (token scrubbed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The server the move was sent to ([`crate::Client::fingerprint`]),
    /// on every line the driver writes; absent in lines of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The operation key the move was sent under ([`crate::OperationKey`]),
    /// on every line of a keyed move; absent for moves without a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<OperationKey>,
}

impl JournalRecord {
    /// An `intent` line, written before the request leaves: `params` are
    /// the move's canonical parameters as JSON (read here:
    /// [`MoveParams::parse`]).
    pub fn intent(
        id: &str,
        endpoint: EndpointId,
        params: Value,
        snapshot: Option<Snapshot>,
        at: &str,
    ) -> Result<JournalRecord, Error> {
        // The endpoint is checked before the parameters (a read is named
        // as such, whatever its parameters).
        only_money(endpoint)?;
        JournalRecord::intent_for(id, endpoint, MoveParams::parse(params)?, snapshot, at)
    }

    /// [`JournalRecord::intent`] of parameters already read (a request's, an
    /// `Unsettled`'s, a key record's).
    pub fn intent_for(
        id: &str,
        endpoint: EndpointId,
        params: MoveParams,
        snapshot: Option<Snapshot>,
        at: &str,
    ) -> Result<JournalRecord, Error> {
        only_money(endpoint)?;
        Ok(JournalRecord {
            id: id.to_owned(),
            event: JournalEvent::Intent,
            endpoint,
            params,
            state: None,
            at: at.to_owned(),
            snapshot,
            message: None,
            server: None,
            key: None,
        })
    }

    /// This line naming the operation key of its move; its `outcome` and
    /// `settled` lines name it too.
    pub fn with_key(mut self, key: OperationKey) -> JournalRecord {
        self.key = Some(key);
        self
    }

    /// This line naming the server the move is sent to (a
    /// [`crate::Client::fingerprint`]); its `outcome` and `settled` lines
    /// name it too.
    pub fn with_server(mut self, server: &str) -> JournalRecord {
        self.server = Some(server.to_owned());
        self
    }

    /// The `outcome` line for this intent.
    pub fn outcome(&self, status: ItemStatus, message: Option<String>, at: &str) -> JournalRecord {
        let state = match status {
            ItemStatus::Succeeded => "succeeded",
            ItemStatus::Failed => "failed",
            // The intent was written, the request never left (a batch
            // stopped before it): nothing happened on the server.
            ItemStatus::NotSent => "not_sent",
            ItemStatus::Unknown => "unknown",
            // Never sent in this attempt and never journaled (a keyed item
            // its key stopped has no intent); were one written, the
            // cautious word: settle it, never send it again blindly.
            ItemStatus::AlreadyDone
            | ItemStatus::KeyInUse
            | ItemStatus::KeyConflict
            | ItemStatus::Undetermined => "unknown",
        };
        self.follow(JournalEvent::Outcome, state, message, at)
    }

    /// The `settled` line for this intent.
    pub fn settled(&self, state: SettleState, message: Option<String>, at: &str) -> JournalRecord {
        self.follow(JournalEvent::Settled, state.as_str(), message, at)
    }

    fn follow(
        &self,
        event: JournalEvent,
        state: &str,
        message: Option<String>,
        at: &str,
    ) -> JournalRecord {
        JournalRecord {
            id: self.id.clone(),
            event,
            endpoint: self.endpoint,
            params: self.params.clone(),
            state: Some(state.to_owned()),
            at: at.to_owned(),
            snapshot: None,
            message,
            server: self.server.clone(),
            key: self.key.clone(),
        }
    }

    /// The line to append: compact JSON and a newline (no newline inside).
    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// The money move this line is about.
    pub fn money_move(&self) -> &MoneyMove {
        self.params.money()
    }
}

/// A money-moving endpoint, or an `invalid_request` at `endpoint`.
fn only_money(endpoint: EndpointId) -> Result<(), Error> {
    if endpoint.info().idempotent {
        return Err(Error::invalid(
            "endpoint",
            format!("{endpoint} moves no money: nothing to journal"),
        ));
    }
    Ok(())
}

/// A journal read back: its records, and what it had to skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    /// Every complete line, in order.
    pub records: Vec<JournalRecord>,
    /// A last line without its newline (a write cut by a crash) was
    /// ignored: an appender cuts it before the next line.
    pub torn_tail: bool,
}

/// One id that the journal leaves without a definite state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMove {
    /// The item's id.
    pub id: String,
    /// The intent line (its params and snapshot).
    pub intent: JournalRecord,
    /// The last word on it: `intent` (no outcome: the process stopped with
    /// the request in flight), `unknown` or `undetermined`.
    pub last: String,
}

impl OpenMove {
    /// What settling this move needs: its intent's endpoint, params,
    /// snapshot, server and operation key, under its journal id (settling it
    /// with journaling on writes its `settled` line there).
    pub fn unsettled(&self) -> Unsettled {
        Unsettled {
            endpoint: self.intent.endpoint,
            params: self.intent.params.clone(),
            snapshot: self.intent.snapshot.clone(),
            server: self.intent.server.clone(),
            journal_id: Some(self.id.clone()),
            key: self.intent.key.clone(),
        }
    }
}

impl Journal {
    /// Reads journal text: [`Journal::read_bytes`].
    pub fn read(text: &str) -> Result<Journal, Error> {
        Journal::read_bytes(text.as_bytes())
    }

    /// Refines one open move's snapshot siblings by what this journal says
    /// of the other items of its batch, as [`Journal::unsettled`] does: a
    /// store that keeps its own records refines the open move of a key it
    /// is about to settle with the lines of that batch.
    pub fn refine(&self, open: &mut OpenMove) {
        let last = self.last_words();
        self.refine_siblings(open, &last);
    }

    /// The ids without a definite state, in the order of their intents: no
    /// outcome after the intent, an `unknown` outcome, or an `undetermined`
    /// settlement, and no `succeeded`, `failed`, `applied` or `not_applied`
    /// after it.
    ///
    /// An open manual item of a batch carries, in its snapshot's
    /// `siblings`, the amounts of the same user's other items of that
    /// batch. The journal says what became of them (`docs/spec-notes.md`
    /// 177), so each open move's snapshot is refined here: a sibling whose
    /// last word is `succeeded` or `applied` moves to `claimed` (it made an
    /// entry, which can't be this move's); one that is `failed`,
    /// `not_sent` or `not_applied`, or has no intent line at all (the intent
    /// is written before a request leaves: it was never sent), is dropped;
    /// an open one stays a sibling. When the journal's items don't fit the
    /// snapshot's siblings (ids reused), the snapshot is left as written.
    pub fn unsettled(&self) -> Vec<OpenMove> {
        let mut open = self.open_moves();
        let last = self.last_words();
        for o in &mut open {
            self.refine_siblings(o, &last);
        }
        open
    }

    /// For each id: whether its intent was written and its last definite
    /// state (`None`: still open).
    fn last_words(&self) -> std::collections::HashMap<&str, (&JournalRecord, Option<&str>)> {
        let mut last = std::collections::HashMap::new();
        for record in &self.records {
            match record.event {
                JournalEvent::Intent => {
                    last.insert(record.id.as_str(), (record, None));
                }
                JournalEvent::Outcome | JournalEvent::Settled => {
                    let state = record.state.as_deref().unwrap_or("");
                    if matches!(
                        state,
                        "succeeded" | "failed" | "not_sent" | "applied" | "not_applied"
                    ) {
                        if let Some(entry) = last.get_mut(record.id.as_str()) {
                            entry.1 = Some(state);
                        }
                    }
                }
            }
        }
        last
    }

    /// Refines an open batch item's snapshot siblings by what the journal
    /// says of them (see [`Journal::unsettled`]).
    fn refine_siblings(
        &self,
        open: &mut OpenMove,
        last: &std::collections::HashMap<&str, (&JournalRecord, Option<&str>)>,
    ) {
        if open.intent.endpoint != EndpointId::MultipleTransaction {
            return;
        }
        let Some(snapshot) = open.intent.snapshot.as_mut() else {
            return;
        };
        if snapshot.siblings.is_empty() {
            return;
        }
        let Ok(MoneyMove::Manual { r#type, user, .. }) =
            MoneyMove::from_params(&open.intent.params)
        else {
            return;
        };
        let Some((batch, _)) = batch_item(&open.id) else {
            return;
        };
        let (mut unknown, mut claimed, mut ended) = (Vec::new(), Vec::new(), Vec::new());
        for (id, (intent, state)) in last {
            if *id == open.id || intent.endpoint != EndpointId::MultipleTransaction {
                continue;
            }
            if batch_item(id).is_none_or(|(b, _)| b != batch) {
                continue;
            }
            let Ok(MoneyMove::Manual {
                r#type: t,
                user: u,
                amount,
            }) = MoneyMove::from_params(&intent.params)
            else {
                continue;
            };
            if t != r#type || u != user {
                continue;
            }
            match state {
                None => unknown.push(amount),
                Some("succeeded" | "applied") => claimed.push(amount),
                Some(_) => ended.push(amount),
            }
        }
        // Every sibling the journal names must be one of the snapshot's.
        let mut rest = snapshot.siblings.clone();
        for a in unknown.iter().chain(&claimed).chain(&ended) {
            match rest.iter().position(|b| b == a) {
                Some(k) => {
                    rest.remove(k);
                }
                None => return,
            }
        }
        unknown.sort();
        claimed.sort();
        snapshot.siblings = unknown;
        snapshot.claimed = claimed;
    }

    /// The open moves, before their snapshots are refined.
    fn open_moves(&self) -> Vec<OpenMove> {
        let mut open: Vec<OpenMove> = Vec::new();
        for record in &self.records {
            match record.event {
                JournalEvent::Intent => {
                    open.retain(|o| o.id != record.id);
                    open.push(OpenMove {
                        id: record.id.clone(),
                        intent: record.clone(),
                        last: "intent".into(),
                    });
                }
                JournalEvent::Outcome | JournalEvent::Settled => {
                    let state = record.state.as_deref().unwrap_or("");
                    let definite = matches!(
                        state,
                        "succeeded" | "failed" | "not_sent" | "applied" | "not_applied"
                    );
                    if definite {
                        open.retain(|o| o.id != record.id);
                    } else if let Some(o) = open.iter_mut().find(|o| o.id == record.id) {
                        o.last = state.to_owned();
                    }
                }
            }
        }
        open
    }
}

/// A batch item's journal id, `{batch}-{k}`: the batch's id and `k`.
fn batch_item(id: &str) -> Option<(&str, usize)> {
    let (batch, k) = id.rsplit_once('-')?;
    Some((batch, k.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(id: &str) -> JournalRecord {
        JournalRecord::intent(
            id,
            EndpointId::ManualTransaction,
            json!({"type": "deposit", "user": "LOREM", "amount": "2500.50", "comment": "c", "operator": "o"}),
            Some(Snapshot::new(Vec::new())),
            "2026-11-30T12:00:00Z",
        )
        .unwrap()
    }

    #[test]
    fn lines_round_trip_and_torn_tails_are_ignored() {
        let a = intent("a");
        let mut text = a.to_line();
        text.push_str(
            &a.outcome(ItemStatus::Unknown, Some("timed out".into()), "t1")
                .to_line(),
        );
        text.push_str(&intent("b").to_line());
        text.push_str(&intent("c").to_line());
        text.push_str(
            &intent("c")
                .outcome(ItemStatus::Succeeded, None, "t2")
                .to_line(),
        );
        let whole = Journal::read(&text).unwrap();
        assert_eq!(whole.records.len(), 5);
        assert_eq!(whole.records[0], a);
        let open: Vec<(String, String)> = whole
            .unsettled()
            .into_iter()
            .map(|o| (o.id, o.last))
            .collect();
        assert_eq!(
            open,
            [
                ("a".into(), "unknown".into()),
                ("b".into(), "intent".into())
            ]
        );
        let torn = format!("{text}{}", &intent("d").to_line()[..40]);
        let j = Journal::read(&torn).unwrap();
        assert!(j.torn_tail);
        assert_eq!(j.records.len(), 5);
        let broken = format!("{}\n{text}", &intent("d").to_line()[..40]);
        assert_eq!(Journal::read(&broken).unwrap_err().path(), Some("line 1"));
        let settled = format!(
            "{text}{}",
            a.settled(SettleState::Applied, None, "t3").to_line()
        );
        let open: Vec<String> = Journal::read(&settled)
            .unwrap()
            .unsettled()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(open, ["b"]);
    }

    #[test]
    fn only_money_moves_with_readable_params_are_journaled() {
        assert!(JournalRecord::intent(
            "x",
            EndpointId::UserBalance,
            json!({"user": "u"}),
            None,
            "t"
        )
        .is_err());
        let e = JournalRecord::intent(
            "x",
            EndpointId::AcceptReject,
            json!({"type": "deposit", "user": "u"}),
            None,
            "t",
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("amount"));
    }
}
