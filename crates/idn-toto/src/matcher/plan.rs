//! `match_deposits`: pending deposits and bank credits paired by rules 1-7
//! of issue 23, with two-way uniqueness over the whole window.
//!
//! The pairs form a bipartite graph: a credit is *eligible* for a request
//! when its account, amount, day, window and name all fit. A request is
//! approved only when each of its eligible credits is eligible for it alone
//! (its part of the graph is a star around it); otherwise every request in
//! that part is held `ambiguous`. That is decided without listing every
//! pair: requests and credits are indexed by watched account and amount,
//! sorted by time (and by folded name, then time), so a credit's window is a
//! range found by binary search; a credit without a name is eligible for the
//! whole same-day part of its window at once, and marks that range with a
//! difference array when it is shared. The cost is `O((r + c) log(r + c))`
//! plus the pairs that named credits make, whatever the input order.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use rust_decimal::Decimal;

use super::names::{Folded, NameTable};
use super::types::{
    AccountKey, Approval, Credit, Hold, MatchEvidence, MatchPlan, MatchReason, MatchRules,
    NameMatch, Unclaimed, MAX_CANDIDATES,
};
use crate::schema::endpoints::transaction_list::PendingTransaction;
use crate::schema::wire::TransactionType;

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

/// Nodes in time order, with their times.
#[derive(Debug, Clone, Copy)]
struct Span<'t> {
    nodes: &'t [usize],
    times: &'t [NaiveDateTime],
}

impl<'t> Span<'t> {
    /// Positions whose time is in `window` (both ends inclusive).
    fn within(self, window: (NaiveDateTime, NaiveDateTime)) -> Range<usize> {
        let start = self.times.partition_point(|t| *t < window.0);
        let end = self.times.partition_point(|t| *t <= window.1);
        start..end.max(start)
    }

    /// Positions on calendar day `day`.
    fn day(self, day: NaiveDate) -> Range<usize> {
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

    fn nodes(self, range: Range<usize>) -> &'t [usize] {
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

/// Nodes and their times, sorted by a key (a name id, or 0) then time.
#[derive(Debug, Default)]
struct Sorted {
    nodes: Vec<usize>,
    times: Vec<NaiveDateTime>,
    keys: Vec<u32>,
}

impl Sorted {
    fn push(&mut self, node: usize, at: NaiveDateTime, key: u32) {
        self.nodes.push(node);
        self.times.push(at);
        self.keys.push(key);
    }

    fn sort(&mut self) {
        let mut rows: Vec<(u32, NaiveDateTime, usize)> = self
            .keys
            .iter()
            .zip(&self.times)
            .zip(&self.nodes)
            .map(|((k, t), n)| (*k, *t, *n))
            .collect();
        rows.sort_unstable();
        self.keys = rows.iter().map(|r| r.0).collect();
        self.times = rows.iter().map(|r| r.1).collect();
        self.nodes = rows.iter().map(|r| r.2).collect();
    }

    fn span(&self) -> Span<'_> {
        self.sub(0..self.nodes.len())
    }

    fn sub(&self, range: Range<usize>) -> Span<'_> {
        Span {
            nodes: self.nodes.get(range.clone()).unwrap_or_default(),
            times: self.times.get(range).unwrap_or_default(),
        }
    }

    /// In a list sorted by name id: each run of one name whose id is in
    /// `ids`.
    fn each_name<'s>(&'s self, ids: Range<u32>, mut f: impl FnMut(Span<'s>)) {
        let keys = &self.keys;
        let mut i = keys.partition_point(|k| *k < ids.start);
        while let Some(&id) = keys.get(i) {
            if id >= ids.end {
                break;
            }
            let end = i + keys
                .get(i..)
                .unwrap_or_default()
                .partition_point(|k| *k == id);
            f(self.sub(i..end));
            i = end;
        }
    }
}

/// Lists of nodes per owner, in one allocation.
#[derive(Debug, Default)]
struct Lists {
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Lists {
    fn build(owners: usize, mut pairs: Vec<(usize, usize)>) -> Lists {
        pairs.sort_unstable();
        let mut start = vec![0; owners + 1];
        for (owner, _) in &pairs {
            start[owner + 1] += 1;
        }
        for i in 0..owners {
            start[i + 1] += start[i];
        }
        Lists {
            start,
            items: pairs.into_iter().map(|(_, item)| item).collect(),
        }
    }

    fn of(&self, owner: usize) -> &[usize] {
        match (self.start.get(owner), self.start.get(owner + 1)) {
            (Some(&s), Some(&e)) => self.items.get(s..e).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// An amount as a key: the normalized decimal's bytes (`100000` and
/// `100000.00` are one key; hashing them is cheap).
type AmountKey = [u8; 16];

/// A watched account (its index among the rules' accounts) and an amount.
type Key = (usize, AmountKey);

fn amount_key(d: Decimal) -> AmountKey {
    d.normalize().serialize()
}

/// The pending requests of one account and amount.
#[derive(Debug, Default)]
struct ReqBucket {
    by_time: Sorted,
    by_name: Sorted,
    /// Difference array over `by_time`: ranges a shared nameless credit
    /// covers.
    marks: Vec<i64>,
}

/// The live credits of one account and amount.
#[derive(Debug, Default)]
struct CrBucket {
    by_time: Sorted,
    nameless: Sorted,
    by_name: Sorted,
}

// ---------------------------------------------------------------- nodes

/// One version of a pending request (a trans_id the list gives twice with
/// different content has two).
#[derive(Debug)]
struct ReqNode<'a> {
    row: &'a PendingTransaction,
    /// The destination's index among the watched accounts.
    account: Option<usize>,
    amount: AmountKey,
    /// The folded `bank_acc_name`'s id.
    name: u32,
    group: usize,
}

#[derive(Debug)]
struct ReqGroup<'a> {
    id: &'a str,
    rep: &'a PendingTransaction,
    nodes: Range<usize>,
    poisoned: bool,
}

/// One dated version of a credit on a watched account, not claimed before.
#[derive(Debug)]
struct CrNode<'a> {
    credit: &'a Credit,
    account: usize,
    amount: AmountKey,
    at: NaiveDateTime,
    /// The folded sender name's id.
    name: Option<u32>,
    group: usize,
}

#[derive(Debug)]
struct CrGroup<'a> {
    r#ref: &'a str,
    nodes: Range<usize>,
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

/// One copy of a credit, as its identity: account, time, amount, name.
type Copy<'c> = (
    &'c AccountKey,
    Option<NaiveDateTime>,
    Decimal,
    Option<Folded>,
    &'c Credit,
);

fn copy_of(c: &Credit) -> Copy<'_> {
    (
        c.account.key(),
        c.posted_at,
        c.amount.normalize(),
        Folded::sender(c.sender_name.as_deref()),
        c,
    )
}

fn same_copy(a: &Copy<'_>, b: &Copy<'_>) -> bool {
    (a.0, a.1, a.2, &a.3) == (b.0, b.1, b.2, &b.3)
}

// ---------------------------------------------------------------- the run

#[derive(Debug)]
struct Matcher<'a> {
    rules: &'a MatchRules,
    before: TimeDelta,
    after: TimeDelta,
    reqs: Vec<ReqNode<'a>>,
    req_groups: Vec<ReqGroup<'a>>,
    crs: Vec<CrNode<'a>>,
    cr_groups: Vec<CrGroup<'a>>,
    names: NameTable,
    req_buckets: HashMap<Key, ReqBucket>,
    cr_buckets: HashMap<Key, CrBucket>,
    // per credit node
    degree: Vec<usize>,
    unique: Vec<Option<usize>>,
    near: Vec<Near>,
    // per request node
    exclusive: Lists,
    shared_named: Lists,
    ambiguous: Vec<bool>,
}

impl<'a> Matcher<'a> {
    fn new(
        pending: &'a [PendingTransaction],
        credits: &'a [Credit],
        rules: &'a MatchRules,
    ) -> Self {
        let mut watched: HashMap<&AccountKey, usize> = HashMap::new();
        for account in &rules.accounts {
            let next = watched.len();
            watched.entry(account.key()).or_insert(next);
        }
        let mut m = Matcher {
            rules,
            before: TimeDelta::seconds(i64::from(rules.window_before_secs)),
            after: TimeDelta::seconds(i64::from(rules.window_after_secs)),
            reqs: Vec::new(),
            req_groups: Vec::new(),
            crs: Vec::new(),
            cr_groups: Vec::new(),
            names: NameTable::default(),
            req_buckets: HashMap::new(),
            cr_buckets: HashMap::new(),
            degree: Vec::new(),
            unique: Vec::new(),
            near: Vec::new(),
            exclusive: Lists::default(),
            shared_named: Lists::default(),
            ambiguous: Vec::new(),
        };
        let mut names = Vec::new();
        m.requests(pending, &watched, &mut names);
        m.credits(credits, &watched, &mut names);
        m.index(names);
        m
    }

    /// Deposit rows by trans_id: identical rows count once; rows that
    /// disagree under one id make one poisoned group (never approved).
    fn requests(
        &mut self,
        pending: &'a [PendingTransaction],
        watched: &HashMap<&AccountKey, usize>,
        names: &mut Vec<(String, usize)>,
    ) {
        let mut accounts: HashMap<(&str, &str), Option<usize>> = HashMap::new();
        let mut rows: Vec<&PendingTransaction> = pending
            .iter()
            .filter(|r| r.r#type == TransactionType::Deposit)
            .collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        self.reqs.reserve(rows.len());
        let mut i = 0;
        while let Some(first) = rows.get(i) {
            let end = rows
                .iter()
                .skip(i + 1)
                .position(|r| r.id != first.id)
                .map_or(rows.len(), |p| i + 1 + p);
            let copies = rows.get(i..end).unwrap_or_default();
            let mut versions: Vec<&PendingTransaction> = Vec::new();
            let versions: &[&PendingTransaction] = if copies.iter().all(|r| r == first) {
                std::slice::from_ref(first)
            } else {
                for row in copies {
                    if !versions.contains(row) {
                        versions.push(row);
                    }
                }
                versions.sort_by_cached_key(|r| serde_json::to_string(r).unwrap_or_default());
                &versions
            };
            let group = self.req_groups.len();
            let start = self.reqs.len();
            for row in versions {
                let destination = (
                    row.destination_bank.as_str(),
                    row.destination_acc_number.as_str(),
                );
                let account = *accounts.entry(destination).or_insert_with(|| {
                    AccountKey::of(destination.0, destination.1)
                        .and_then(|k| watched.get(&k).copied())
                });
                names.push((Folded::new(&row.bank_acc_name).text, self.reqs.len()));
                self.reqs.push(ReqNode {
                    row,
                    account,
                    amount: amount_key(row.amount),
                    name: 0,
                    group,
                });
            }
            self.req_groups.push(ReqGroup {
                id: &first.id,
                rep: versions[0],
                nodes: start..self.reqs.len(),
                poisoned: versions.len() > 1,
            });
            i = end;
        }
        self.ambiguous = vec![false; self.reqs.len()];
    }

    /// Credits by ref: copies that agree (account, time, amount, name) are
    /// one credit delivered several times; copies that disagree are a
    /// conflict, never approved, and hold every request they touch.
    fn credits(
        &mut self,
        credits: &'a [Credit],
        watched: &HashMap<&AccountKey, usize>,
        names: &mut Vec<(String, usize)>,
    ) {
        let mut order: Vec<&Credit> = credits.iter().collect();
        order.sort_by(|a, b| a.r#ref.cmp(&b.r#ref));
        self.crs.reserve(order.len());
        let mut i = 0;
        while let Some(first) = order.get(i) {
            let end = order
                .iter()
                .skip(i + 1)
                .position(|c| c.r#ref != first.r#ref)
                .map_or(order.len(), |p| i + 1 + p);
            let mut versions: Vec<Copy<'a>> = Vec::new();
            for c in order.get(i..end).unwrap_or_default() {
                let copy = copy_of(c);
                if !versions.iter().any(|v| same_copy(v, &copy)) {
                    versions.push(copy);
                }
            }
            versions.sort_by(|a, b| (a.0, a.1, a.2, &a.3).cmp(&(b.0, b.1, b.2, &b.3)));
            let r#ref = first.r#ref.as_str();
            let poisoned = versions.len() > 1;
            let fixed = if self.rules.claimed_refs.contains(r#ref) {
                Some(MatchReason::AlreadyClaimed)
            } else if versions.iter().all(|v| !watched.contains_key(v.0)) {
                Some(MatchReason::UnknownAccount)
            } else if poisoned {
                Some(MatchReason::Ambiguous)
            } else if versions.iter().any(|v| v.1.is_none()) {
                Some(MatchReason::OutsideWindow)
            } else {
                None
            };
            let group = self.cr_groups.len();
            let start = self.crs.len();
            if fixed.is_none() || (poisoned && fixed == Some(MatchReason::Ambiguous)) {
                for (key, at, amount, name, credit) in versions {
                    let (Some(at), Some(&account)) = (at, watched.get(key)) else {
                        continue;
                    };
                    let has_name = name.is_some();
                    if let Some(name) = name {
                        names.push((name.text, self.reqs.len() + self.crs.len()));
                    }
                    self.crs.push(CrNode {
                        credit,
                        account,
                        amount: amount_key(amount),
                        at,
                        name: has_name.then_some(0),
                        group,
                    });
                }
            }
            self.cr_groups.push(CrGroup {
                r#ref,
                nodes: start..self.crs.len(),
                fixed,
                poisoned,
            });
            i = end;
        }
        self.degree = vec![0; self.crs.len()];
        self.unique = vec![None; self.crs.len()];
        self.near = vec![Near::default(); self.crs.len()];
    }

    /// Names to ids, and the buckets: requests and credits by watched
    /// account and amount, sorted by time and by name.
    fn index(&mut self, names: Vec<(String, usize)>) {
        let offset = self.reqs.len();
        let (table, ids) = NameTable::build(names, offset + self.crs.len());
        self.names = table;
        for (i, node) in self.reqs.iter_mut().enumerate() {
            node.name = ids[i];
            if let Some(account) = node.account {
                let bucket = self.req_buckets.entry((account, node.amount)).or_default();
                bucket.by_time.push(i, node.row.date, 0);
                bucket.by_name.push(i, node.row.date, node.name);
            }
        }
        for (i, node) in self.crs.iter_mut().enumerate() {
            node.name = node.name.map(|_| ids[offset + i]);
            let bucket = self
                .cr_buckets
                .entry((node.account, node.amount))
                .or_default();
            bucket.by_time.push(i, node.at, 0);
            match node.name {
                Some(name) => bucket.by_name.push(i, node.at, name),
                None => bucket.nameless.push(i, node.at, 0),
            }
        }
        for bucket in self.req_buckets.values_mut() {
            bucket.by_time.sort();
            bucket.by_name.sort();
            bucket.marks = vec![0; bucket.by_time.nodes.len() + 1];
        }
        for bucket in self.cr_buckets.values_mut() {
            bucket.by_time.sort();
            bucket.nameless.sort();
            bucket.by_name.sort();
        }
    }

    /// The moments a request at `at` accepts a credit in, both ends
    /// inclusive.
    fn window_of_request(&self, at: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
        window(at, self.before, self.after)
    }

    /// Every credit's eligible requests: how many, and which one when only
    /// one; every request's exclusive credits, and whether it shares one.
    fn pair(&mut self) {
        let mut exclusive = Vec::new();
        let mut shared_named = Vec::new();
        let mut edges: Vec<usize> = Vec::new();
        for (ci, c) in self.crs.iter().enumerate() {
            let poisoned = self.cr_groups[c.group].poisoned;
            let window = window(c.at, self.after, self.before);
            let day = c.at.date();
            let Some(bucket) = self.req_buckets.get_mut(&(c.account, c.amount)) else {
                continue;
            };
            let all = bucket.by_time.span();
            let same = intersect(&all.within(window), &all.day(day));
            edges.clear();
            match c.name {
                None => {
                    if same.len() >= 2 || (poisoned && same.len() == 1) {
                        bucket.marks[same.start] += 1;
                        bucket.marks[same.end] -= 1;
                    }
                    edges.extend_from_slice(all.nodes(same));
                }
                Some(name) => {
                    bucket
                        .by_name
                        .each_name(self.names.fitted_by(name), |span| {
                            let same = intersect(&span.within(window), &span.day(day));
                            edges.extend_from_slice(span.nodes(same));
                        });
                    if edges.len() >= 2 || (poisoned && edges.len() == 1) {
                        for &r in &edges {
                            self.ambiguous[r] = true;
                            shared_named.push((r, ci));
                        }
                    }
                }
            }
            self.degree[ci] = edges.len();
            if let [r] = edges[..] {
                self.unique[ci] = Some(r);
                if !poisoned {
                    exclusive.push((r, ci));
                }
            }
        }
        for bucket in self.req_buckets.values() {
            let mut covered = 0i64;
            for (pos, node) in bucket.by_time.nodes.iter().enumerate() {
                covered += bucket.marks[pos];
                if covered > 0 {
                    self.ambiguous[*node] = true;
                }
            }
        }
        self.exclusive = Lists::build(self.reqs.len(), exclusive);
        self.shared_named = Lists::build(self.reqs.len(), shared_named);
    }

    /// What each credit no request is eligible for nearly matched: a
    /// request not approved, one rule short. (An approved request is
    /// explained; what else resembles it says nothing about it.)
    fn near_misses(&mut self, approved_req: &[bool]) {
        let reqs = &self.reqs;
        for (ci, c) in self.crs.iter().enumerate() {
            if self.degree[ci] > 0 {
                continue;
            }
            let Some(bucket) = self.req_buckets.get(&(c.account, c.amount)) else {
                continue;
            };
            let window = window(c.at, self.after, self.before);
            let day = c.at.date();
            let free = |r: &usize| !approved_req[*r];
            let mut near = Near::default();
            let mut look = |span: Span<'_>| {
                let w = span.within(window);
                let d = span.day(day);
                let same = intersect(&w, &d);
                let any = |outer: &Range<usize>| {
                    minus(outer, &same)
                        .into_iter()
                        .any(|part| span.nodes(part).iter().any(free))
                };
                near.cross |= any(&w);
                near.outside |= any(&d);
            };
            match c.name {
                None => look(bucket.by_time.span()),
                Some(name) => {
                    let fits = self.names.fitted_by(name);
                    bucket.by_name.each_name(fits.clone(), look);
                    let all = bucket.by_time.span();
                    let same = intersect(&all.within(window), &all.day(day));
                    near.name = all
                        .nodes(same)
                        .iter()
                        .any(|r| free(r) && !fits.contains(&reqs[*r].name));
                }
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
        let n = g.nodes.start;
        if self.reqs[n].account.is_none() {
            Some(Outcome::Hold(MatchReason::UnknownAccount))
        } else if self.over_limit(g.rep) {
            Some(Outcome::Hold(MatchReason::OverLimit))
        } else if self.ambiguous[n] {
            Some(Outcome::Hold(MatchReason::Ambiguous))
        } else {
            self.exclusive
                .of(n)
                .iter()
                .copied()
                .min_by(|a, b| self.credit_order(*a).cmp(&self.credit_order(*b)))
                .map(Outcome::Approve)
        }
    }

    /// The credit spans whose sender fits account name `name`: the
    /// nameless ones, and each name the account name is or begins with.
    fn name_ok<'b>(&self, bucket: &'b CrBucket, name: u32, mut f: impl FnMut(Span<'b>)) {
        f(bucket.nameless.span());
        let folded = Folded::new(self.names.text(name));
        for form in folded.sender_forms() {
            if let Some(id) = self.names.id(form) {
                bucket.by_name.each_name(id..id + 1, &mut f);
            }
        }
    }

    /// A request no credit is eligible for: the rule its nearest credits
    /// not approved fail (name, then day, then window), else `no_credit`. (A
    /// credit another request takes explains nothing about this one.)
    fn diagnose(&self, n: usize, approved_cr: &[bool]) -> MatchReason {
        let r = &self.reqs[n];
        let Some(account) = r.account else {
            return MatchReason::UnknownAccount;
        };
        let Some(bucket) = self.cr_buckets.get(&(account, r.amount)) else {
            return MatchReason::NoCredit;
        };
        let window = self.window_of_request(r.row.date);
        let day = r.row.date.date();
        let free = |c: &usize| !approved_cr[*c];
        // A credit on the request's day and in its window failed on the name
        // (a nameless one, or one with a fitting name, would be eligible).
        let all = bucket.by_time.span();
        let same = intersect(&all.within(window), &all.day(day));
        if all.nodes(same).iter().any(free) {
            return MatchReason::NameMismatch;
        }
        let (mut cross, mut outside) = (false, false);
        self.name_ok(bucket, r.name, |span| {
            let w = span.within(window);
            let d = span.day(day);
            let same = intersect(&w, &d);
            let any = |outer: &Range<usize>| {
                minus(outer, &same)
                    .into_iter()
                    .any(|part| span.nodes(part).iter().any(free))
            };
            cross |= any(&w);
            outside |= any(&d);
        });
        if cross {
            MatchReason::CrossDay
        } else if outside {
            MatchReason::OutsideWindow
        } else {
            MatchReason::NoCredit
        }
    }

    fn credit_reason(&self, g: &CrGroup<'_>, outcomes: &[Outcome]) -> Option<MatchReason> {
        if let Some(fixed) = g.fixed {
            return Some(fixed);
        }
        let ci = g.nodes.start;
        if g.nodes.is_empty() {
            return Some(MatchReason::NoRequest);
        }
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
        let take = |nodes: &[usize], found: &mut Vec<usize>| {
            found.extend(nodes.iter().filter(|c| wanted(c)).take(MAX_CANDIDATES));
        };
        for n in g.nodes.clone() {
            let r = &self.reqs[n];
            let bucket = r
                .account
                .and_then(|account| self.cr_buckets.get(&(account, r.amount)));
            let window = self.window_of_request(r.row.date);
            let day = r.row.date.date();
            match (reason, bucket) {
                (MatchReason::OverLimit, _) => take(self.exclusive.of(n), &mut found),
                (MatchReason::Ambiguous, _) => {
                    take(self.exclusive.of(n), &mut found);
                    take(self.shared_named.of(n), &mut found);
                    if let Some(b) = bucket {
                        let nameless = b.nameless.span();
                        let same = intersect(&nameless.within(window), &nameless.day(day));
                        take(nameless.nodes(same), &mut found);
                    }
                }
                (MatchReason::NameMismatch, Some(b)) => {
                    let all = b.by_time.span();
                    let same = intersect(&all.within(window), &all.day(day));
                    take(all.nodes(same), &mut found);
                }
                (MatchReason::CrossDay | MatchReason::OutsideWindow, Some(b)) => {
                    self.name_ok(b, r.name, |span| {
                        let w = span.within(window);
                        let d = span.day(day);
                        let same = intersect(&w, &d);
                        let outer = if reason == MatchReason::CrossDay {
                            w
                        } else {
                            d
                        };
                        for part in minus(&outer, &same) {
                            take(span.nodes(part), &mut found);
                        }
                    });
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
                approved_req[g.nodes.start] = true;
            }
        }
        let outcomes: Vec<Outcome> = self
            .req_groups
            .iter()
            .zip(decided)
            .map(|(g, outcome)| {
                outcome.unwrap_or_else(|| Outcome::Hold(self.diagnose(g.nodes.start, &approved_cr)))
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
        let n = g.nodes.start;
        let c = &self.crs[ci];
        let mut others: Vec<usize> = self
            .exclusive
            .of(n)
            .iter()
            .copied()
            .filter(|x| *x != ci)
            .collect();
        others.sort_by(|a, b| self.credit_order(*a).cmp(&self.credit_order(*b)));
        let name = match c.name {
            None => NameMatch::Absent,
            Some(sender) => self
                .names
                .matches(sender, self.reqs[n].name)
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

/// `[at - back, at + ahead]`, clamped. A request at `at` accepts credits in
/// `window(at, before, after)`; a credit at `at` fits the requests in
/// `window(at, after, before)`.
fn window(at: NaiveDateTime, back: TimeDelta, ahead: TimeDelta) -> (NaiveDateTime, NaiveDateTime) {
    (
        at.checked_sub_signed(back).unwrap_or(NaiveDateTime::MIN),
        at.checked_add_signed(ahead).unwrap_or(NaiveDateTime::MAX),
    )
}

/// Sorts `items` by `(date, trans_id)`, given in the same order.
fn sort_by_keys<T>(items: &mut Vec<T>, keys: Vec<(NaiveDateTime, &str)>) {
    let mut keyed: Vec<_> = keys.into_iter().zip(items.drain(..)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    items.extend(keyed.into_iter().map(|(_, item)| item));
}
