//! `match_deposits`: pending deposits and bank credits paired by rules 1-7
//! of issue 23, with two-way uniqueness over the whole window.
//!
//! The pairs form a bipartite graph: a credit is *eligible* for a request
//! when its account, amount, day, window and name all fit. A request is
//! approved only when each of its eligible credits is eligible for it alone
//! (its part of the graph is a star around it); otherwise every request in
//! that part is held `ambiguous`. That is decided without listing every
//! pair: requests and credits are indexed by account and amount, sorted by
//! time (and by folded name), so a credit's window is a range found by
//! binary search; a credit without a name is eligible for the whole
//! same-day part of its window at once, and marks it with a difference
//! array when it is shared. The cost is `O((r + c) log(r + c))` plus the
//! pairs that named credits make, whatever the input order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rust_decimal::Decimal;

use super::names::Folded;
use super::types::{
    AccountKey, Approval, Credit, Hold, MatchEvidence, MatchPlan, MatchReason, MatchRules,
    NameMatch, Unclaimed, MAX_CANDIDATES,
};
use crate::{PendingTransaction, TransactionType};

/// Pairs pending deposits with bank credits (see the module docs of
/// [`crate::match_deposits`]). Pure and deterministic: the plan depends
/// only on the sets given, never on their order.
pub fn match_deposits(
    pending: &[PendingTransaction],
    credits: &[Credit],
    rules: &MatchRules,
) -> MatchPlan {
    Matcher::new(pending, credits, rules).run()
}

// ---------------------------------------------------------------- indexes

/// Node indices sorted by time (then index), with the times.
#[derive(Debug, Default)]
struct Timeline {
    nodes: Vec<usize>,
    times: Vec<NaiveDateTime>,
}

impl Timeline {
    fn push(&mut self, node: usize, at: NaiveDateTime) {
        self.nodes.push(node);
        self.times.push(at);
    }

    fn sort(&mut self) {
        let mut pairs: Vec<(NaiveDateTime, usize)> = self
            .times
            .iter()
            .copied()
            .zip(self.nodes.iter().copied())
            .collect();
        pairs.sort_unstable();
        (self.times, self.nodes) = pairs.into_iter().unzip();
    }

    /// Positions whose time is in `window` (both ends inclusive).
    fn within(&self, window: (NaiveDateTime, NaiveDateTime)) -> Range<usize> {
        let start = self.times.partition_point(|t| *t < window.0);
        let end = self.times.partition_point(|t| *t <= window.1);
        start..end.max(start)
    }

    /// Positions on calendar day `day`.
    fn day(&self, day: NaiveDate) -> Range<usize> {
        let start = self
            .times
            .partition_point(|t| *t < day.and_time(NaiveTime::MIN));
        let end = match day.succ_opt() {
            Some(next) => self
                .times
                .partition_point(|t| *t < next.and_time(NaiveTime::MIN)),
            None => self.times.len(),
        };
        start..end.max(start)
    }

    fn nodes(&self, range: Range<usize>) -> &[usize] {
        self.nodes.get(range).unwrap_or_default()
    }
}

fn intersect(a: &Range<usize>, b: &Range<usize>) -> Range<usize> {
    let start = a.start.max(b.start);
    start..a.end.min(b.end).max(start)
}

/// The positions of `outer` outside `inner` (`inner` is `outer`
/// intersected with something, or empty).
fn minus(outer: &Range<usize>, inner: &Range<usize>) -> [Range<usize>; 2] {
    if inner.is_empty() {
        return [outer.clone(), 0..0];
    }
    [
        outer.start..inner.start.max(outer.start),
        inner.end.min(outer.end)..outer.end,
    ]
}

/// Timelines by folded name, sorted by name (so the names beginning with a
/// prefix are one run).
#[derive(Debug, Default)]
struct Names {
    building: BTreeMap<String, Timeline>,
    list: Vec<(String, Timeline)>,
}

impl Names {
    fn push(&mut self, name: &str, node: usize, at: NaiveDateTime) {
        self.building
            .entry(name.to_owned())
            .or_default()
            .push(node, at);
    }

    fn finish(&mut self) {
        self.list = std::mem::take(&mut self.building).into_iter().collect();
        for (_, timeline) in &mut self.list {
            timeline.sort();
        }
    }

    fn exact(&self, name: &str) -> Option<&Timeline> {
        self.list
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .and_then(|i| self.list.get(i))
            .map(|(_, t)| t)
    }

    /// The timelines of the account names sender name `sender` matches.
    fn matched_by<'a>(&'a self, sender: &'a Folded) -> impl Iterator<Item = &'a Timeline> + 'a {
        let truncated = sender.chars >= super::types::MIN_TRUNCATED_NAME;
        let start = self
            .list
            .partition_point(|(n, _)| n.as_str() < sender.text.as_str());
        self.list
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(n, _)| {
                if truncated {
                    n.starts_with(&sender.text)
                } else {
                    *n == sender.text
                }
            })
            .map(|(_, t)| t)
    }
}

/// The pending requests of one account and amount.
#[derive(Debug, Default)]
struct ReqBucket {
    all: Timeline,
    names: Names,
    /// Difference array over `all`: ranges a shared nameless credit covers.
    marks: Vec<i64>,
}

/// The live credits of one account and amount.
#[derive(Debug, Default)]
struct CrBucket {
    all: Timeline,
    nameless: Timeline,
    names: Names,
}

type Key = (AccountKey, Decimal);

// ---------------------------------------------------------------- nodes

/// One version of a pending request (a trans_id the list gives twice with
/// different content has two).
#[derive(Debug)]
struct ReqNode<'a> {
    row: &'a PendingTransaction,
    group: usize,
    /// The destination, when it is a watched account.
    key: Option<AccountKey>,
    amount: Decimal,
    name: Folded,
}

#[derive(Debug)]
struct ReqGroup<'a> {
    id: &'a str,
    rep: &'a PendingTransaction,
    nodes: Vec<usize>,
    poisoned: bool,
}

/// One dated version of a credit on a watched account, not claimed before.
#[derive(Debug)]
struct CrNode<'a> {
    credit: &'a Credit,
    group: usize,
    key: AccountKey,
    amount: Decimal,
    at: NaiveDateTime,
    name: Option<Folded>,
}

#[derive(Debug)]
struct CrGroup<'a> {
    r#ref: &'a str,
    nodes: Vec<usize>,
    /// The reason decided before any pairing (claimed, unknown account,
    /// conflicting copies, not dated).
    fixed: Option<MatchReason>,
    poisoned: bool,
}

/// What a credit nearly matched: one rule short.
#[derive(Debug, Default, Clone, Copy)]
struct Near {
    name: bool,
    cross: bool,
    outside: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Approve(usize),
    Hold(MatchReason),
}

// ---------------------------------------------------------------- the run

struct Matcher<'a> {
    rules: &'a MatchRules,
    before: TimeDelta,
    after: TimeDelta,
    reqs: Vec<ReqNode<'a>>,
    req_groups: Vec<ReqGroup<'a>>,
    crs: Vec<CrNode<'a>>,
    cr_groups: Vec<CrGroup<'a>>,
    req_buckets: HashMap<Key, ReqBucket>,
    cr_buckets: HashMap<Key, CrBucket>,
    // per credit node
    degree: Vec<usize>,
    unique: Vec<Option<usize>>,
    near: Vec<Near>,
    // per request node
    exclusive: Vec<Vec<usize>>,
    shared_named: Vec<Vec<usize>>,
    ambiguous: Vec<bool>,
}

impl<'a> Matcher<'a> {
    fn new(
        pending: &'a [PendingTransaction],
        credits: &'a [Credit],
        rules: &'a MatchRules,
    ) -> Self {
        let watched: HashSet<&AccountKey> = rules.accounts.iter().map(|a| a.key()).collect();
        let mut m = Matcher {
            rules,
            before: TimeDelta::seconds(i64::from(rules.window_before_secs)),
            after: TimeDelta::seconds(i64::from(rules.window_after_secs)),
            reqs: Vec::new(),
            req_groups: Vec::new(),
            crs: Vec::new(),
            cr_groups: Vec::new(),
            req_buckets: HashMap::new(),
            cr_buckets: HashMap::new(),
            degree: Vec::new(),
            unique: Vec::new(),
            near: Vec::new(),
            exclusive: Vec::new(),
            shared_named: Vec::new(),
            ambiguous: Vec::new(),
        };
        m.requests(pending, &watched);
        m.credits(credits, &watched);
        m
    }

    /// Deposit rows by trans_id: identical rows count once; rows that
    /// disagree under one id make one poisoned group (never approved).
    fn requests(&mut self, pending: &'a [PendingTransaction], watched: &HashSet<&AccountKey>) {
        let mut by_id: BTreeMap<&str, Vec<&PendingTransaction>> = BTreeMap::new();
        for row in pending
            .iter()
            .filter(|r| r.r#type == TransactionType::Deposit)
        {
            let versions = by_id.entry(row.id.as_str()).or_default();
            if !versions.contains(&row) {
                versions.push(row);
            }
        }
        for (id, mut versions) in by_id {
            if versions.len() > 1 {
                versions.sort_by_cached_key(|r| serde_json::to_string(r).unwrap_or_default());
            }
            let group = self.req_groups.len();
            let mut nodes = Vec::with_capacity(versions.len());
            for row in &versions {
                let key = AccountKey::of(&row.destination_bank, &row.destination_acc_number)
                    .filter(|k| watched.contains(k));
                nodes.push(self.reqs.len());
                self.reqs.push(ReqNode {
                    row,
                    group,
                    key,
                    amount: row.amount.normalize(),
                    name: Folded::new(&row.bank_acc_name),
                });
            }
            self.req_groups.push(ReqGroup {
                id,
                rep: versions[0],
                nodes,
                poisoned: versions.len() > 1,
            });
        }
        for (i, node) in self.reqs.iter().enumerate() {
            if let Some(key) = &node.key {
                let bucket = self
                    .req_buckets
                    .entry((key.clone(), node.amount))
                    .or_default();
                bucket.all.push(i, node.row.date);
                bucket.names.push(&node.name.text, i, node.row.date);
            }
        }
        for bucket in self.req_buckets.values_mut() {
            bucket.all.sort();
            bucket.names.finish();
            bucket.marks = vec![0; bucket.all.nodes.len() + 1];
        }
        self.exclusive = vec![Vec::new(); self.reqs.len()];
        self.shared_named = vec![Vec::new(); self.reqs.len()];
        self.ambiguous = vec![false; self.reqs.len()];
    }

    /// Credits by ref: copies that agree (account, time, amount, name) are
    /// one credit delivered several times; copies that disagree are a
    /// conflict, never approved, and hold every request they touch.
    fn credits(&mut self, credits: &'a [Credit], watched: &HashSet<&AccountKey>) {
        type Version<'c> = (
            AccountKey,
            Option<NaiveDateTime>,
            Decimal,
            Option<Folded>,
            &'c Credit,
        );
        let mut by_ref: BTreeMap<&str, Vec<Version<'a>>> = BTreeMap::new();
        for c in credits {
            by_ref.entry(c.r#ref.as_str()).or_default().push((
                c.account.key().clone(),
                c.posted_at,
                c.amount.normalize(),
                Folded::sender(c.sender_name.as_deref()),
                c,
            ));
        }
        for (r#ref, mut versions) in by_ref {
            versions.sort_by(|a, b| (&a.0, a.1, a.2, &a.3).cmp(&(&b.0, b.1, b.2, &b.3)));
            versions.dedup_by(|a, b| (&a.0, a.1, a.2, &a.3) == (&b.0, b.1, b.2, &b.3));
            let poisoned = versions.len() > 1;
            let fixed = if self.rules.claimed_refs.contains(r#ref) {
                Some(MatchReason::AlreadyClaimed)
            } else if versions.iter().all(|v| !watched.contains(&v.0)) {
                Some(MatchReason::UnknownAccount)
            } else if poisoned {
                Some(MatchReason::Ambiguous)
            } else if versions.iter().any(|v| v.1.is_none()) {
                Some(MatchReason::OutsideWindow)
            } else {
                None
            };
            let group = self.cr_groups.len();
            let mut nodes = Vec::new();
            if fixed.is_none() || (poisoned && fixed == Some(MatchReason::Ambiguous)) {
                for (key, at, amount, name, credit) in versions {
                    let Some(at) = at else { continue };
                    if !watched.contains(&key) {
                        continue;
                    }
                    nodes.push(self.crs.len());
                    self.crs.push(CrNode {
                        credit,
                        group,
                        key,
                        amount,
                        at,
                        name,
                    });
                }
            }
            self.cr_groups.push(CrGroup {
                r#ref,
                nodes,
                fixed,
                poisoned,
            });
        }
        for (i, node) in self.crs.iter().enumerate() {
            let bucket = self
                .cr_buckets
                .entry((node.key.clone(), node.amount))
                .or_default();
            bucket.all.push(i, node.at);
            match &node.name {
                Some(name) => bucket.names.push(&name.text, i, node.at),
                None => bucket.nameless.push(i, node.at),
            }
        }
        for bucket in self.cr_buckets.values_mut() {
            bucket.all.sort();
            bucket.nameless.sort();
            bucket.names.finish();
        }
        self.degree = vec![0; self.crs.len()];
        self.unique = vec![None; self.crs.len()];
        self.near = vec![Near::default(); self.crs.len()];
    }

    /// The moments a request at `at` accepts a credit in (or, seen from a
    /// credit at `at`, the requests that accept it), both ends inclusive.
    fn window_of_request(&self, at: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
        (
            at.checked_sub_signed(self.before)
                .unwrap_or(NaiveDateTime::MIN),
            at.checked_add_signed(self.after)
                .unwrap_or(NaiveDateTime::MAX),
        )
    }

    fn window_of_credit(&self, at: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
        (
            at.checked_sub_signed(self.after)
                .unwrap_or(NaiveDateTime::MIN),
            at.checked_add_signed(self.before)
                .unwrap_or(NaiveDateTime::MAX),
        )
    }

    /// Every credit's eligible requests: how many, and which one when only
    /// one; every request's exclusive credits, and whether it shares one.
    fn pair(&mut self) {
        for ci in 0..self.crs.len() {
            let c = &self.crs[ci];
            let poisoned = self.cr_groups[c.group].poisoned;
            let window = self.window_of_credit(c.at);
            let Some(bucket) = self.req_buckets.get_mut(&(c.key.clone(), c.amount)) else {
                continue;
            };
            let same = intersect(&bucket.all.within(window), &bucket.all.day(c.at.date()));
            let degree;
            match &c.name {
                None => {
                    degree = same.len();
                    if degree == 1 {
                        self.unique[ci] = Some(bucket.all.nodes[same.start]);
                    }
                    if degree >= 2 || (poisoned && degree == 1) {
                        bucket.marks[same.start] += 1;
                        bucket.marks[same.end] -= 1;
                    }
                }
                Some(name) => {
                    let mut edges = Vec::new();
                    for timeline in bucket.names.matched_by(name) {
                        let same = intersect(&timeline.within(window), &timeline.day(c.at.date()));
                        edges.extend_from_slice(timeline.nodes(same));
                    }
                    degree = edges.len();
                    if degree == 1 {
                        self.unique[ci] = Some(edges[0]);
                    }
                    if degree >= 2 || (poisoned && degree == 1) {
                        for r in edges {
                            self.ambiguous[r] = true;
                            self.shared_named[r].push(ci);
                        }
                    }
                }
            }
            self.degree[ci] = degree;
            if let (Some(r), false) = (self.unique[ci], poisoned) {
                self.exclusive[r].push(ci);
            }
        }
        for bucket in self.req_buckets.values() {
            let mut covered = 0i64;
            for (pos, node) in bucket.all.nodes.iter().enumerate() {
                covered += bucket.marks[pos];
                if covered > 0 {
                    self.ambiguous[*node] = true;
                }
            }
        }
    }

    /// What each credit no request is eligible for nearly matched: a
    /// request not approved, one rule short. (An approved request is
    /// explained; what else resembles it says nothing about it.)
    fn near_misses(&mut self, approved_req: &[bool]) {
        for ci in 0..self.crs.len() {
            if self.degree[ci] > 0 {
                continue;
            }
            let c = &self.crs[ci];
            let Some(bucket) = self.req_buckets.get(&(c.key.clone(), c.amount)) else {
                continue;
            };
            let window = self.window_of_credit(c.at);
            let day = c.at.date();
            let free = |r: &usize| !approved_req[*r];
            let mut near = Near::default();
            if let Some(name) = &c.name {
                let same = intersect(&bucket.all.within(window), &bucket.all.day(day));
                near.name = bucket
                    .all
                    .nodes(same)
                    .iter()
                    .any(|r| free(r) && name.matches(&self.reqs[*r].name).is_none());
            }
            let all = [&bucket.all];
            let timelines: Vec<&Timeline> = match &c.name {
                None => all.to_vec(),
                Some(name) => bucket.names.matched_by(name).collect(),
            };
            for timeline in timelines {
                let w = timeline.within(window);
                let d = timeline.day(day);
                let same = intersect(&w, &d);
                let any = |outer: &Range<usize>| {
                    minus(outer, &same)
                        .into_iter()
                        .any(|part| timeline.nodes(part).iter().any(free))
                };
                near.cross |= any(&w);
                near.outside |= any(&d);
            }
            self.near[ci] = near;
        }
    }

    fn credit_order(&self, ci: usize) -> (NaiveDateTime, &str) {
        (self.crs[ci].at, self.crs[ci].credit.r#ref.as_str())
    }

    fn over_limit(&self, row: &PendingTransaction) -> bool {
        self.rules
            .max_auto_amount
            .is_some_and(|limit| row.amount > limit)
    }

    /// A request's outcome; `None` when no credit is eligible for it (its
    /// reason is found once the approvals are known).
    fn outcome(&self, g: &ReqGroup<'_>) -> Option<Outcome> {
        if self.rules.approved_trans_ids.contains(g.id) {
            return Some(Outcome::Hold(MatchReason::AlreadyClaimed));
        }
        if g.poisoned {
            return Some(Outcome::Hold(MatchReason::Ambiguous));
        }
        let n = g.nodes[0];
        if self.reqs[n].key.is_none() {
            Some(Outcome::Hold(MatchReason::UnknownAccount))
        } else if self.over_limit(g.rep) {
            Some(Outcome::Hold(MatchReason::OverLimit))
        } else if self.ambiguous[n] {
            Some(Outcome::Hold(MatchReason::Ambiguous))
        } else {
            self.exclusive[n]
                .iter()
                .copied()
                .min_by(|a, b| self.credit_order(*a).cmp(&self.credit_order(*b)))
                .map(Outcome::Approve)
        }
    }

    /// A request no credit is eligible for: the rule its nearest credits
    /// not approved fail (name, then day, then window), else `no_credit`. (A
    /// credit another request takes explains nothing about this one.)
    fn diagnose(&self, n: usize, approved_cr: &[bool]) -> MatchReason {
        let r = &self.reqs[n];
        let Some(key) = &r.key else {
            return MatchReason::UnknownAccount;
        };
        let Some(bucket) = self.cr_buckets.get(&(key.clone(), r.amount)) else {
            return MatchReason::NoCredit;
        };
        let window = self.window_of_request(r.row.date);
        let day = r.row.date.date();
        let free = |c: &usize| !approved_cr[*c];
        // A credit on the request's day and in its window failed on the name
        // (a nameless one, or one with a fitting name, would be eligible).
        let same = intersect(&bucket.all.within(window), &bucket.all.day(day));
        if bucket.all.nodes(same).iter().any(free) {
            return MatchReason::NameMismatch;
        }
        let (mut cross, mut outside) = (false, false);
        for timeline in self.name_ok(bucket, &r.name) {
            let w = timeline.within(window);
            let d = timeline.day(day);
            let same = intersect(&w, &d);
            let any = |outer: &Range<usize>| {
                minus(outer, &same)
                    .into_iter()
                    .any(|part| timeline.nodes(part).iter().any(free))
            };
            cross |= any(&w);
            outside |= any(&d);
        }
        if cross {
            MatchReason::CrossDay
        } else if outside {
            MatchReason::OutsideWindow
        } else {
            MatchReason::NoCredit
        }
    }

    /// The credit timelines whose sender fits account name `name`: the
    /// nameless ones, and each name the account name is or begins with.
    fn name_ok<'b>(&self, bucket: &'b CrBucket, name: &'b Folded) -> Vec<&'b Timeline> {
        let mut out = vec![&bucket.nameless];
        out.extend(
            name.sender_forms()
                .filter_map(|form| bucket.names.exact(form)),
        );
        out
    }

    fn credit_reason(&self, g: &CrGroup<'_>, outcomes: &[Outcome]) -> Option<MatchReason> {
        if let Some(fixed) = g.fixed {
            return Some(fixed);
        }
        let Some(&ci) = g.nodes.first() else {
            return Some(MatchReason::NoRequest);
        };
        if self.degree[ci] >= 2 {
            return Some(MatchReason::Ambiguous);
        }
        if let Some(r) = self.unique[ci] {
            return match outcomes[self.reqs[r].group] {
                Outcome::Approve(x) if x == ci => None,
                Outcome::Approve(_) | Outcome::Hold(MatchReason::AlreadyClaimed) => {
                    Some(MatchReason::DoubleTransfer)
                }
                Outcome::Hold(reason) => Some(reason),
            };
        }
        let near = self.near[ci];
        Some(if near.name {
            MatchReason::NameMismatch
        } else if near.cross {
            MatchReason::CrossDay
        } else if near.outside {
            MatchReason::OutsideWindow
        } else {
            MatchReason::NoRequest
        })
    }

    /// The credits that explain a hold: related to the request by the
    /// hold's reason and unclaimed with that same reason; earliest first.
    fn candidates(
        &self,
        g: &ReqGroup<'_>,
        reason: MatchReason,
        reasons: &[Option<MatchReason>],
    ) -> Vec<String> {
        let mut found: Vec<usize> = Vec::new();
        let wanted = |ci: &usize| reasons[self.crs[*ci].group] == Some(reason);
        let take = |range: &[usize], found: &mut Vec<usize>| {
            found.extend(range.iter().filter(|c| wanted(c)).take(MAX_CANDIDATES));
        };
        for &n in &g.nodes {
            let r = &self.reqs[n];
            let bucket = r
                .key
                .as_ref()
                .and_then(|k| self.cr_buckets.get(&(k.clone(), r.amount)));
            let window = self.window_of_request(r.row.date);
            let day = r.row.date.date();
            match reason {
                MatchReason::OverLimit => take(&self.exclusive[n], &mut found),
                MatchReason::Ambiguous => {
                    take(&self.exclusive[n], &mut found);
                    take(&self.shared_named[n], &mut found);
                    if let Some(b) = bucket {
                        let same = intersect(&b.nameless.within(window), &b.nameless.day(day));
                        take(b.nameless.nodes(same), &mut found);
                    }
                }
                MatchReason::NameMismatch => {
                    if let Some(b) = bucket {
                        let same = intersect(&b.all.within(window), &b.all.day(day));
                        take(b.all.nodes(same), &mut found);
                    }
                }
                MatchReason::CrossDay | MatchReason::OutsideWindow => {
                    let Some(b) = bucket else { continue };
                    for timeline in self.name_ok(b, &r.name) {
                        let w = timeline.within(window);
                        let d = timeline.day(day);
                        let same = intersect(&w, &d);
                        let outer = if reason == MatchReason::CrossDay {
                            w
                        } else {
                            d
                        };
                        for part in minus(&outer, &same) {
                            take(timeline.nodes(part), &mut found);
                        }
                    }
                }
                _ => {}
            }
        }
        found.sort_by(|a, b| self.credit_order(*a).cmp(&self.credit_order(*b)));
        let mut refs: Vec<String> = Vec::new();
        for ci in found {
            let r = &self.crs[ci].credit.r#ref;
            if !refs.contains(r) {
                refs.push(r.clone());
            }
            if refs.len() == MAX_CANDIDATES {
                break;
            }
        }
        refs
    }

    fn run(mut self) -> MatchPlan {
        self.pair();
        let decided: Vec<Option<Outcome>> =
            self.req_groups.iter().map(|g| self.outcome(g)).collect();
        let mut approved_cr = vec![false; self.crs.len()];
        let mut approved_req = vec![false; self.reqs.len()];
        for (g, outcome) in self.req_groups.iter().zip(&decided) {
            if let Some(Outcome::Approve(ci)) = outcome {
                approved_cr[*ci] = true;
                approved_req[g.nodes[0]] = true;
            }
        }
        let outcomes: Vec<Outcome> = self
            .req_groups
            .iter()
            .zip(decided)
            .map(|(g, outcome)| {
                outcome.unwrap_or_else(|| Outcome::Hold(self.diagnose(g.nodes[0], &approved_cr)))
            })
            .collect();
        self.near_misses(&approved_req);
        let reasons: Vec<Option<MatchReason>> = self
            .cr_groups
            .iter()
            .map(|g| self.credit_reason(g, &outcomes))
            .collect();

        let mut plan = MatchPlan::default();
        let mut approved_order = Vec::new();
        let mut held_order = Vec::new();
        for (g, outcome) in self.req_groups.iter().zip(&outcomes) {
            let row = g.rep;
            match *outcome {
                Outcome::Approve(ci) => {
                    approved_order.push((row.date, g.id));
                    plan.approve.push(self.approval(g, ci));
                }
                Outcome::Hold(reason) => {
                    held_order.push((row.date, g.id));
                    plan.hold.push(Hold {
                        trans_id: g.id.to_owned(),
                        user: row.user.clone(),
                        amount: row.amount,
                        reason,
                        candidates: self.candidates(g, reason, &reasons),
                    });
                }
            }
        }
        sort_by_keys(&mut plan.approve, approved_order);
        sort_by_keys(&mut plan.hold, held_order);
        plan.unclaimed = self
            .cr_groups
            .iter()
            .zip(&reasons)
            .filter_map(|(g, reason)| {
                reason.map(|reason| Unclaimed {
                    credit: g.r#ref.to_owned(),
                    reason,
                })
            })
            .collect();
        plan
    }

    fn approval(&self, g: &ReqGroup<'_>, ci: usize) -> Approval {
        let n = g.nodes[0];
        let c = &self.crs[ci];
        let mut others: Vec<usize> = self.exclusive[n]
            .iter()
            .copied()
            .filter(|x| *x != ci)
            .collect();
        others.sort_by(|a, b| self.credit_order(*a).cmp(&self.credit_order(*b)));
        let name = match &c.name {
            None => NameMatch::Absent,
            Some(sender) => sender
                .matches(&self.reqs[n].name)
                .unwrap_or(NameMatch::Exact),
        };
        Approval {
            trans_id: g.id.to_owned(),
            user: g.rep.user.clone(),
            amount: g.rep.amount,
            credit: c.credit.r#ref.clone(),
            evidence: MatchEvidence {
                account: c.credit.account.clone(),
                requested_at: g.rep.date,
                posted_at: c.at,
                offset_secs: (c.at - g.rep.date).num_seconds(),
                name,
                sender_name: c.credit.sender_name.clone(),
                double_transfer: others
                    .into_iter()
                    .map(|x| self.crs[x].credit.r#ref.clone())
                    .collect(),
            },
        }
    }
}

/// Sorts `items` by `(date, trans_id)`, given in the same order.
fn sort_by_keys<T>(items: &mut Vec<T>, keys: Vec<(NaiveDateTime, &str)>) {
    let mut keyed: Vec<_> = keys.into_iter().zip(items.drain(..)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    items.extend(keyed.into_iter().map(|(_, item)| item));
}
