//! The driver's keyed moves: a claim's answer, the settlement of a key's
//! open move before it is claimed again, and what a key that stops a move
//! means for a call and for a batch item (`docs/spec-notes.md` 195).

use super::Output;
use super::{Driver, Op};
use crate::protocol::batch::ItemStatus;
use crate::protocol::journal::JournalRecord;
use crate::protocol::journal::OpenMove;
use crate::protocol::keys::{ClaimAnswer, KeyDecision, KeyRecord};
use crate::schema::endpoints::accept_reject::Processed;
use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use crate::schema::table::AnyResponse;

impl Driver {
    /// Hands over what the store made of the last [`super::Step::Claim`]:
    /// its [`ClaimAnswer`], or the store's error (nothing was written:
    /// nothing the claim announces is sent). The core decides the rest:
    ///
    /// - `claim`: the intent is written with the claim; the move is sent;
    /// - `already_done`: not sent; a call ends with the recorded answer
    ///   ([`Processed::replayed`]), a batch item `already_done`;
    /// - `settle`: the key's open move is settled first (reads only, its
    ///   `settled` line journaled), then the key is claimed again;
    /// - `key_in_use`, `key_conflict`, `outcome_unknown` (still open after
    ///   settling): not sent; a call ends with that error, a batch item with
    ///   `key_in_use`, `key_conflict` or `undetermined`.
    pub fn record_claim(&mut self, answer: Result<ClaimAnswer, Error>) {
        if let Some(child) = self.child.as_mut() {
            return child.record_claim(answer);
        }
        if !self.claim_pending {
            return;
        }
        self.claim_pending = false;
        let client = self.client.clone();
        let answer = answer.map_err(|e| e.redacted(&client));
        match &mut self.op {
            Op::Call(op) => {
                let Some(intent) = op.claiming.take() else {
                    return;
                };
                let endpoint = op.exchange.request().endpoint();
                match answer {
                    Err(e) => self.finish(Err(e)),
                    Ok(a) => match &a.decision {
                        KeyDecision::Claim => op.intent = Some(intent),
                        KeyDecision::AlreadyDone => {
                            let processed = Processed {
                                message: client.redact(&a.replay_message()),
                                replayed: true,
                            };
                            let response = match endpoint {
                                EndpointId::AcceptReject => AnyResponse::AcceptReject(processed),
                                _ => AnyResponse::ManualTransaction(processed),
                            };
                            self.finish(Ok(Output::Response(response)));
                        }
                        KeyDecision::Settle => match a.previous {
                            Some(record) => self.settle_keys(&[record]),
                            None => self.finish(Err(Error::invalid(
                                "key",
                                "a claim said settle without the key's record",
                            ))),
                        },
                        _ => {
                            let error = a.error().unwrap_or_else(|| {
                                Error::invalid("key", "the claim's answer can't be used")
                            });
                            // The key is the caller's text: scrubbed like
                            // every other error's.
                            self.finish(Err(error.redacted(&client)));
                        }
                    },
                }
            }
            Op::Batch(op) => {
                let Some((i, intent)) = op.claiming.take() else {
                    return;
                };
                let Some(batch) = op.batch.as_mut() else {
                    return;
                };
                let answer = match answer {
                    Ok(a) => a,
                    Err(e) => {
                        // Nothing this claim announces may leave, nor any
                        // later item: the batch stops as when an intent
                        // can't be written; items claimed for the next
                        // request get their `not_sent` line.
                        let why = format!("the journal could not be written: {e}");
                        batch.stop_unsent(&client, &why);
                        let n = op.intents.len();
                        self.batch_outcomes(&(0..n).collect::<Vec<_>>());
                        return;
                    }
                };
                let key = answer
                    .previous
                    .as_ref()
                    .map(|r| r.key.as_str().to_owned())
                    .unwrap_or_default();
                match answer.decision {
                    KeyDecision::Claim => {
                        op.journal_ids[i] = Some(intent.id.clone());
                        op.intents[i] = Some(intent);
                    }
                    KeyDecision::AlreadyDone => {
                        let message = format!(
                            "not sent: done before under key {key:?}: {}",
                            answer.replay_message()
                        );
                        batch.resolve(i, ItemStatus::AlreadyDone, client.redact(&message));
                    }
                    KeyDecision::InUse { lease_until_ms } => batch.resolve(
                        i,
                        ItemStatus::KeyInUse,
                        client.redact(&format!("not sent: the key {key:?} is held by another process until {lease_until_ms} ms (unix)")),
                    ),
                    KeyDecision::Conflict { reason } => batch.resolve(
                        i,
                        ItemStatus::KeyConflict,
                        client.redact(&format!("not sent: {reason}")),
                    ),
                    KeyDecision::Unknown => batch.resolve(
                        i,
                        ItemStatus::Undetermined,
                        client.redact(&format!("not sent: an earlier attempt under the key {key:?} could not be settled; settle it (journal settle) before sending again")),
                    ),
                    KeyDecision::Settle => match answer.previous {
                        Some(record) => op.to_settle.push((i, record)),
                        None => batch.resolve(
                            i,
                            ItemStatus::Undetermined,
                            "not sent: a claim said settle without the key's record".into(),
                        ),
                    },
                }
            }
            Op::Pages(_) | Op::Settle(_) => {}
        }
    }

    /// Settles the open moves of `records` (reads only; their `settled`
    /// lines name their keys, so the store's records follow) with a driver
    /// of their own, whose steps this one hands out; [`Driver::child_done`]
    /// takes its end.
    pub(super) fn settle_keys(&mut self, records: &[KeyRecord]) {
        let at = self.at();
        let moves: Result<Vec<OpenMove>, Error> = records
            .iter()
            .map(|r| {
                Ok(OpenMove {
                    id: r.journal_id.clone(),
                    intent: JournalRecord::intent_for(
                        &r.journal_id,
                        r.endpoint,
                        r.params.clone(),
                        r.snapshot.clone(),
                        &at,
                    )?
                    .with_server(&r.server)
                    .with_key(r.key.clone()),
                    last: r.state.as_str().to_owned(),
                })
            })
            .collect();
        match moves.and_then(|m| Driver::settle_open(&self.client, &m, self.options.clone())) {
            Ok(child) => self.child = Some(Box::new(child)),
            Err(e) => self.child_done(Err(e)),
        }
    }

    /// The settlement of keys' open moves ended: the keys are claimed
    /// again, now knowing the verdicts (the store has them from the
    /// `settled` lines). A settlement that failed leaves them open: a call
    /// ends with its error, batch items `undetermined`, nothing sent.
    pub(super) fn child_done(&mut self, result: Result<Output, Error>) {
        if let Some(child) = self.child.take() {
            self.unrecorded.extend(child.unrecorded);
        }
        match &mut self.op {
            Op::Call(op) => match result {
                Ok(_) => op.settled_now = true,
                Err(e) => self.finish(Err(e)),
            },
            Op::Batch(op) => {
                let settling = std::mem::take(&mut op.settling);
                match result {
                    Ok(_) => {
                        for i in settling {
                            op.settled_now[i] = true;
                        }
                    }
                    Err(e) => {
                        if let Some(batch) = op.batch.as_mut() {
                            for i in settling {
                                batch.resolve(
                                    i,
                                    ItemStatus::Undetermined,
                                    format!("not sent: the open move under its key could not be settled ({e})"),
                                );
                            }
                        }
                    }
                }
            }
            Op::Pages(_) | Op::Settle(_) => {}
        }
    }
}
