//! `idn-toto batch TYPE FILE.csv`: the rows of a CSV file sent as
//! `multiple_transaction` items, 25 to a request, with memory that stays
//! flat for any file size.
//!
//! Two passes over the file, each holding one row (or one request's 25) at
//! a time:
//! 1. **Check**: the header (every column a canonical item field, none
//!    twice), every row (through the core: `MultipleItem::from_json`, then
//!    `ItemsCheck`: one form, no transaction twice), and what the
//!    confirmation shows (counts, the total amount, the first rows). Nothing
//!    is sent before this pass ends, and a bad row sends nothing. It also
//!    keeps a digest of each request's 25 rows.
//! 2. **Send**: the rows again, 25 at a time. Each 25 is one core batch
//!    (`Client::batch`: the history reads of its users, its journal lines,
//!    one request) whose outcomes are printed as they come. A part whose
//!    digest differs from the first pass's (the file changed in between) is
//!    not sent. A part with an outcome that stops a batch
//!    (`ItemStatus::stops_batch`: unknown, or not sent) stops the rest: their
//!    rows are printed `not_sent`.
//!
//! The outcomes are printed whatever happens once the check passed: exit 0
//! when every row succeeded, 8 when some outcome is unknown, 9 otherwise.

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use std::collections::HashSet;

use idn_toto::{
    Action, Decimal, Error, ItemOutcome, ItemStatus, ItemsCheck, MultipleItem, OperationKey,
    TxType, ACCEPT_REJECT_FIELDS, MANUAL_FIELDS, MAX_ITEMS,
};
use idn_toto_client::blocking::Client;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value};

use crate::journal_spec::journal_label;
use crate::live::{client, confirm, no_token_on_argv};
use crate::output::{self, code, refused, usage, Output};
use crate::BatchArgs;

/// How many rows of the file the confirmation shows.
const PREVIEW_ROWS: usize = 10;

/// How many outcome rows a table holds before it is printed (a batch of
/// any size prints several tables of at most this many rows).
const TABLE_ROWS: usize = 1_000;

/// `idn-toto batch TYPE FILE.csv`
pub(crate) fn batch(args: BatchArgs) -> ExitCode {
    run(&args).unwrap_or_else(|code| code)
}

fn run(args: &BatchArgs) -> Result<ExitCode, ExitCode> {
    no_token_on_argv(&args.live)?;
    let r#type = TxType::parse("type", &args.r#type).map_err(|e| usage(&e.to_string()))?;
    // Pass 1: every row is checked before anything is sent.
    let scan = Scan::of(&args.file, r#type)?;
    let journal = args.moves.journal.as_deref();
    if scan.keyed > 0 && journal.is_none() {
        return Err(usage(&format!(
            "{} has a key column: keys need --journal (a file, sqlite:PATH or postgres://...), which keeps them",
            args.file.display()
        )));
    }
    let client = client(&args.live, journal, args.moves.dry_run)?;
    // What only the client can check, still before anything is sent.
    check_tokens(&args.file, r#type, client.core())?;
    if args.moves.dry_run {
        return Ok(dry_run(&args.file, r#type, &scan));
    }
    confirm(|| scan.describe(r#type, journal), args.moves.yes)?;
    Ok(send(&client, args, r#type, &scan))
}

/// The rows again, for what needs the client: a row (or its key) holding
/// the token is refused before anything is sent, as the core would refuse
/// its part after earlier parts were paid (`docs/spec-notes.md` 218).
fn check_tokens(path: &Path, r#type: TxType, core: &idn_toto::Client) -> Result<(), ExitCode> {
    let mut rows = Rows::open(path).map_err(Bad::print)?;
    loop {
        let (first, part) = rows.next_part(path).map_err(Bad::print)?;
        if part.is_empty() {
            return Ok(());
        }
        for (k, (item, key)) in part.iter().enumerate() {
            let at = format!("transaction[{}]", first + k);
            core.refuse_token_in_move(&format!("{at}."), &item.move_params(r#type))
                .map_err(|e| refused(&e))?;
            if let Some(key) = key {
                core.refuse_token_in_key(&format!("{at}.key"), key)
                    .map_err(|e| refused(&e))?;
            }
        }
    }
}

/// The rows of the CSV file as canonical items, one at a time.
struct Rows {
    reader: csv::Reader<File>,
    header: csv::StringRecord,
    record: csv::StringRecord,
    /// The index of the next row (0 for the first row under the header).
    next: usize,
}

/// Why reading the rows stopped.
enum Bad {
    /// The file can't be read as CSV: a usage error (exit 2).
    File(String),
    /// A header or a row the core refuses: `invalid_request` (exit 3).
    Refused(Error),
}

impl Bad {
    fn print(self) -> ExitCode {
        match self {
            Bad::File(message) => usage(&message),
            Bad::Refused(e) => refused(&e),
        }
    }
}

impl Rows {
    /// Opens the file and checks its header: every column must name a
    /// field of an item (accept/reject or manual), and none twice.
    fn open(path: &Path) -> Result<Rows, Bad> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| Bad::File(format!("cannot read {}: {e}", path.display())))?;
        let header = reader
            .headers()
            .map_err(|e| Bad::File(format!("cannot read the header of {}: {e}", path.display())))?
            .clone();
        check_header(&header).map_err(Bad::Refused)?;
        Ok(Rows {
            reader,
            header,
            record: csv::StringRecord::new(),
            next: 0,
        })
    }

    /// The next row as an item (empty cells are absent fields) and its
    /// operation key (the `key` column), or `None` at the end of the file.
    fn next_item(&mut self, path: &Path) -> Option<Result<(usize, Row), Bad>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(Bad::File(format!("{}: {e}", path.display())))),
        }
        let index = self.next;
        self.next += 1;
        let mut key = None;
        let mut fields = Map::new();
        for (k, v) in self.header.iter().zip(self.record.iter()) {
            if v.is_empty() {
                continue;
            }
            if k == KEY_COLUMN {
                match OperationKey::parse(&format!("transaction[{index}].key"), v) {
                    Ok(parsed) => key = Some(parsed),
                    Err(e) => return Some(Err(Bad::Refused(e))),
                }
            } else {
                fields.insert(k.to_owned(), Value::String(v.to_owned()));
            }
        }
        Some(
            MultipleItem::from_json(&Value::Object(fields), index)
                .map(|item| (index, (item, key)))
                .map_err(Bad::Refused),
        )
    }

    /// The next request's rows (at most 25), with the index of the first;
    /// an empty list at the end of the file.
    fn next_part(&mut self, path: &Path) -> Result<(usize, Vec<Row>), Bad> {
        let first = self.next;
        let mut items = Vec::with_capacity(MAX_ITEMS);
        while items.len() < MAX_ITEMS {
            match self.next_item(path) {
                Some(row) => items.push(row?.1),
                None => break,
            }
        }
        Ok((first, items))
    }
}

/// One row: its item and its operation key.
type Row = (MultipleItem, Option<OperationKey>);

/// The column of a row's operation key.
const KEY_COLUMN: &str = "key";

/// Every column of the header names a field of an item, and no column
/// repeats another (the core would otherwise read one of the two cells
/// and drop the other without a word).
fn check_header(header: &csv::StringRecord) -> Result<(), Error> {
    let refuse = |reason: String| Error::InvalidRequest {
        field: "header".into(),
        reason,
    };
    for (i, name) in header.iter().enumerate() {
        let column = i + 1;
        if !ACCEPT_REJECT_FIELDS.contains(&name)
            && !MANUAL_FIELDS.contains(&name)
            && name != KEY_COLUMN
        {
            let mut known: Vec<&str> = ACCEPT_REJECT_FIELDS.to_vec();
            known.extend(
                MANUAL_FIELDS
                    .iter()
                    .filter(|f| !ACCEPT_REJECT_FIELDS.contains(f)),
            );
            return Err(refuse(format!(
                "column {column} ({name:?}) is not an item field (the header names the \
                 canonical fields: {}, and optionally key): nothing was sent",
                known.join(", ")
            )));
        }
        if let Some(earlier) = header.iter().position(|other| other == name) {
            if earlier < i {
                return Err(refuse(format!(
                    "column {column} ({name:?}) repeats column {}: nothing was sent",
                    earlier + 1
                )));
            }
        }
    }
    Ok(())
}

/// The digest of one request's rows (their canonical parameters), keyed
/// per run.
fn digest(keys: &RandomState, r#type: TxType, items: &[Row]) -> u64 {
    let mut h = keys.build_hasher();
    for (item, key) in items {
        item.params(r#type).to_string().hash(&mut h);
        key.as_ref().map(OperationKey::as_str).hash(&mut h);
    }
    h.finish()
}

/// What the first pass learnt: the number of rows, what the confirmation
/// shows, and each request's digest.
struct Scan {
    rows: usize,
    /// Manual items: their total amount (`None` for accept/reject batches).
    total: Option<Decimal>,
    accepts: usize,
    rejects: usize,
    /// The first rows, as canonical parameters.
    preview: Vec<Value>,
    keys: RandomState,
    digests: Vec<u64>,
    /// How many rows carry an operation key.
    keyed: usize,
}

impl Scan {
    /// Reads the whole file once, checking every row; prints the error and
    /// gives its exit code on the first bad one.
    fn of(path: &Path, r#type: TxType) -> Result<Scan, ExitCode> {
        let mut rows = Rows::open(path).map_err(Bad::print)?;
        let mut check = ItemsCheck::new();
        let mut scan = Scan {
            rows: 0,
            total: None,
            accepts: 0,
            rejects: 0,
            preview: Vec::new(),
            keys: RandomState::new(),
            digests: Vec::new(),
            keyed: 0,
        };
        // Each key's 128-bit digest (two keyed hashes), not the key: memory
        // stays small for any file; two keys alike by chance: ~2^-64.
        let seen_keys = (RandomState::new(), RandomState::new());
        let mut seen: HashSet<(u64, u64)> = HashSet::new();
        loop {
            let (first, part) = rows.next_part(path).map_err(Bad::print)?;
            if part.is_empty() {
                break;
            }
            for (k, (item, key)) in part.iter().enumerate() {
                check.push(item).map_err(|e| refused(&e))?;
                scan.count(r#type, item);
                if let Some(key) = key {
                    scan.keyed += 1;
                    let d = (
                        seen_keys.0.hash_one(key.as_str()),
                        seen_keys.1.hash_one(key.as_str()),
                    );
                    if !seen.insert(d) {
                        return Err(refused(&Error::InvalidRequest {
                            field: format!("transaction[{}].key", first + k),
                            reason: format!(
                                "{:?} is the key of an earlier row too: one key names one money move; nothing was sent",
                                key.as_str()
                            ),
                        }));
                    }
                }
            }
            scan.digests.push(digest(&scan.keys, r#type, &part));
        }
        if scan.rows == 0 {
            return Err(usage(&format!(
                "{} has no rows under its header",
                path.display()
            )));
        }
        Ok(scan)
    }

    fn count(&mut self, r#type: TxType, item: &MultipleItem) {
        self.rows += 1;
        if self.preview.len() < PREVIEW_ROWS {
            self.preview.push(item.params(r#type));
        }
        match item {
            MultipleItem::Manual(m) => {
                let total = self.total.get_or_insert(Decimal::ZERO);
                // Saturates far beyond any real total (10^6 rows of the
                // largest amount fit with room to spare).
                *total = total.saturating_add(m.amount.value());
            }
            MultipleItem::AcceptReject(a) => match a.action {
                Action::Accept => self.accepts += 1,
                Action::Reject => self.rejects += 1,
            },
        }
    }

    fn requests(&self) -> usize {
        self.digests.len()
    }

    /// What the confirmation shows: counts, the total, the first rows.
    fn describe(&self, r#type: TxType, journal: Option<&str>) -> String {
        let what = match self.total {
            Some(total) => format!("manual, {total} in total"),
            None => format!("{} accept, {} reject", self.accepts, self.rejects),
        };
        let mut lines = vec![format!(
            "a batch of {} {} items ({what}) moves money ({} requests){}:",
            self.rows,
            r#type.as_str(),
            self.requests(),
            journal.map_or(String::new(), |j| format!(
                ", journaled to {}",
                journal_label(j)
            ))
        )];
        let (columns, rows) = output::rows_of(&self.preview);
        lines.push(output::table(&columns, &rows));
        if self.rows > self.preview.len() {
            lines.push(format!(
                "... and {} more rows",
                self.rows - self.preview.len()
            ));
        }
        lines.join("\n")
    }
}

/// `--dry-run`: the items as JSON (`type`, `requests`, `items`), written
/// row by row.
fn dry_run(path: &Path, r#type: TxType, scan: &Scan) -> ExitCode {
    let mut rows = match Rows::open(path) {
        Ok(rows) => rows,
        Err(bad) => return bad.print(),
    };
    let mut out = std::io::stdout().lock();
    let head = write!(
        out,
        "{{\n  \"type\": \"{}\",\n  \"requests\": {},\n  \"items\": [",
        r#type.as_str(),
        scan.requests()
    );
    if head.is_err() {
        return ExitCode::from(code::OTHER);
    }
    let mut first = true;
    while let Some(row) = rows.next_item(path) {
        let item = match row {
            Ok((_, (item, _))) => item,
            Err(bad) => return bad.print(),
        };
        let sep = if first { "\n    " } else { ",\n    " };
        first = false;
        if write!(out, "{sep}{}", item.params(r#type)).is_err() {
            return ExitCode::from(code::OTHER);
        }
    }
    if writeln!(out, "\n  ]\n}}").is_err() {
        return ExitCode::from(code::OTHER);
    }
    ExitCode::SUCCESS
}

/// How many rows came to each end.
#[derive(Debug, Default)]
struct Tally {
    succeeded: usize,
    failed: usize,
    unknown: usize,
    not_sent: usize,
    already_done: usize,
    key_in_use: usize,
    key_conflict: usize,
    undetermined: usize,
}

impl Tally {
    fn add(&mut self, outcomes: &[ItemOutcome]) {
        for o in outcomes {
            match o.status {
                ItemStatus::Succeeded => self.succeeded += 1,
                ItemStatus::Failed => self.failed += 1,
                ItemStatus::Unknown => self.unknown += 1,
                ItemStatus::NotSent => self.not_sent += 1,
                ItemStatus::AlreadyDone => self.already_done += 1,
                ItemStatus::KeyInUse => self.key_in_use += 1,
                ItemStatus::KeyConflict => self.key_conflict += 1,
                ItemStatus::Undetermined => self.undetermined += 1,
            }
        }
    }

    fn printed(&self) -> usize {
        self.succeeded
            + self.failed
            + self.unknown
            + self.not_sent
            + self.already_done
            + self.key_in_use
            + self.key_conflict
            + self.undetermined
    }
}

/// Pass 2: the rows again, 25 at a time, each 25 one core batch; their
/// outcomes printed as they come.
fn send(client: &Client, args: &BatchArgs, r#type: TxType, scan: &Scan) -> ExitCode {
    let path = args.file.as_path();
    let bar = progress(scan.rows);
    let mut sink = Sink::new(Output::or_default(args.output));
    let mut tally = Tally::default();
    // Why the rest is not sent, once something stopped the batch.
    let mut stopped: Option<String> = None;
    // Why the outcomes stopped being printed (the rest were not sent).
    let mut cut: Option<String> = None;
    let mut rows = match Rows::open(path) {
        Ok(rows) => rows,
        Err(bad) => return bad.print(),
    };
    if let Err(e) = bar.suspend(|| sink.begin()) {
        cut = Some(format!("the output could not be written ({e})"));
    }
    let mut part_no = 0;
    while cut.is_none() {
        let (first, items) = match rows.next_part(path) {
            Ok(part) => part,
            Err(_) => {
                cut = Some(changed(path, rows.next));
                break;
            }
        };
        if items.is_empty() {
            if rows.next != scan.rows {
                cut = Some(changed(path, rows.next));
            }
            break;
        }
        if scan.digests.get(part_no) != Some(&digest(&scan.keys, r#type, &items)) {
            cut = Some(changed(path, first));
            break;
        }
        part_no += 1;
        let count = items.len();
        let (items, keys): (Vec<MultipleItem>, Vec<Option<OperationKey>>) =
            items.into_iter().unzip();
        let mut outcomes = match &stopped {
            Some(why) => not_sent(r#type, &items, why),
            None => match client.batch_keyed(r#type, items.clone(), keys) {
                Ok(outcomes) => outcomes,
                // The batch's checks passed in the first pass, so nothing
                // but a failure the run could not place comes here:
                // `invalid_request` was decided before anything was sent;
                // anything else may have been sent.
                Err(e @ Error::InvalidRequest { .. }) => {
                    not_sent(r#type, &items, &format!("not sent: {e}"))
                }
                Err(e) => with_status(r#type, &items, ItemStatus::Unknown, &e.to_string()),
            },
        };
        for o in &mut outcomes {
            o.index += first;
        }
        if stopped.is_none() {
            stopped = outcomes
                .iter()
                .find(|o| o.status.stops_batch())
                .map(stop_reason);
        }
        tally.add(&outcomes);
        bar.inc(count as u64);
        if let Err(e) = bar.suspend(|| sink.write(&outcomes)) {
            cut = Some(format!("the output could not be written ({e})"));
        }
    }
    if let Err(e) = bar.suspend(|| sink.end()) {
        cut.get_or_insert(format!("the output could not be written ({e})"));
    }
    bar.finish_and_clear();
    finish(args, scan, &tally, cut)
}

/// The message of a part whose rows differ from the first pass's.
fn changed(path: &Path, row: usize) -> String {
    format!(
        "{} changed after it was checked: nothing from row {} on was sent",
        path.display(),
        row + 1
    )
}

/// Why the rows after `o` are not sent.
fn stop_reason(o: &ItemOutcome) -> String {
    let row = o.index + 1;
    match (o.status, o.message.as_deref()) {
        (ItemStatus::Unknown, _) => {
            format!("not sent: the batch stopped at row {row}, whose outcome is unknown")
        }
        (_, Some(why)) => format!(
            "not sent: the batch stopped at row {row} ({})",
            why.strip_prefix("not sent: ").unwrap_or(why)
        ),
        (_, None) => format!("not sent: the batch stopped at row {row}"),
    }
}

/// Outcomes of `status` for items no core batch ran.
fn with_status(
    r#type: TxType,
    items: &[MultipleItem],
    status: ItemStatus,
    why: &str,
) -> Vec<ItemOutcome> {
    items
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let params = item.move_params(r#type);
            ItemOutcome {
                index: k,
                status,
                trans_id: params.money().trans_id().map(str::to_owned),
                user: params.money().user().to_owned(),
                message: Some(why.to_owned()),
                api_kind: None,
                params,
                snapshot: None,
                // Never sent: no server, no journal line, no key claimed.
                server: None,
                journal_id: None,
                key: None,
            }
        })
        .collect()
}

fn not_sent(r#type: TxType, items: &[MultipleItem], why: &str) -> Vec<ItemOutcome> {
    with_status(r#type, items, ItemStatus::NotSent, why)
}

/// The exit code, and what stderr says: a summary, how to settle unknown
/// outcomes, and why the outcomes stopped early, if they did.
fn finish(args: &BatchArgs, scan: &Scan, tally: &Tally, cut: Option<String>) -> ExitCode {
    let unprinted = scan.rows.saturating_sub(tally.printed());
    let keyed = if scan.keyed > 0 {
        format!(
            ", {} already done, {} key in use, {} key conflict, {} undetermined",
            tally.already_done, tally.key_in_use, tally.key_conflict, tally.undetermined
        )
    } else {
        String::new()
    };
    eprintln!(
        "idn-toto: {} rows: {} succeeded, {} failed, {} unknown, {} not sent{keyed}",
        scan.rows,
        tally.succeeded,
        tally.failed,
        tally.unknown,
        tally.not_sent + unprinted
    );
    if let Some(why) = &cut {
        eprintln!("idn-toto: {why}");
    }
    if tally.undetermined > 0 {
        eprintln!(
            "idn-toto: {} items were not sent: an earlier attempt under their key could not be settled; `idn-toto journal settle` it, then run again",
            tally.undetermined
        );
    }
    if tally.key_in_use > 0 {
        eprintln!(
            "idn-toto: {} items were not sent: another process holds their key; run again once it is done (or its lease ran out)",
            tally.key_in_use
        );
    }
    if tally.unknown > 0 {
        let hint = match &args.moves.journal {
            Some(j) => format!("`idn-toto journal settle {}` finds out", journal_label(j)),
            None => "check the pending list or the user's history before sending them again".into(),
        };
        eprintln!(
            "idn-toto: {} items' outcome is unknown: {hint}",
            tally.unknown
        );
    }
    if tally.unknown + tally.undetermined > 0 {
        return ExitCode::from(code::OUTCOME_UNKNOWN);
    }
    if tally.failed + tally.not_sent + tally.key_in_use + tally.key_conflict + unprinted > 0 {
        return ExitCode::from(code::PARTIAL);
    }
    if cut.is_some() {
        return ExitCode::from(code::OTHER);
    }
    ExitCode::SUCCESS
}

/// A progress bar on stderr when it is a terminal.
fn progress(rows: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows as u64);
    bar.set_style(
        ProgressStyle::with_template("batch {pos}/{len} rows {wide_bar}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

const OUTCOME_COLUMNS: [&str; 6] = ["row", "status", "trans_id", "user", "amount", "message"];

fn outcome_row(o: &ItemOutcome) -> Vec<String> {
    let status = serde_json::to_value(o.status)
        .ok()
        .map(|v| output::cell(&v))
        .unwrap_or_default();
    vec![
        (o.index + 1).to_string(),
        status,
        o.trans_id.clone().unwrap_or_default(),
        o.user.clone(),
        o.params.get("amount").map(output::cell).unwrap_or_default(),
        o.message.clone().unwrap_or_default(),
    ]
}

/// Where the outcomes go, written as they come: a JSON list (compact when
/// piped, one outcome per line on a terminal), CSV, or tables of at most
/// `TABLE_ROWS` rows.
enum Sink {
    Json { pretty: bool, first: bool },
    Csv,
    Table(Vec<Vec<String>>),
}

impl Sink {
    fn new(out: Output) -> Sink {
        match out {
            Output::Json => Sink::Json {
                pretty: std::io::stdout().is_terminal(),
                first: true,
            },
            Output::Csv => Sink::Csv,
            Output::Table => Sink::Table(Vec::new()),
        }
    }

    fn begin(&mut self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self {
            Sink::Json { .. } => write!(out, "[")?,
            Sink::Csv => out.write_all(output::csv_line(&OUTCOME_COLUMNS)?.as_bytes())?,
            Sink::Table(_) => {}
        }
        out.flush()
    }

    fn write(&mut self, outcomes: &[ItemOutcome]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self {
            Sink::Json { pretty, first } => {
                for o in outcomes {
                    let sep = match (*first, *pretty) {
                        (true, true) => "\n  ",
                        (true, false) => "",
                        (false, true) => ",\n  ",
                        (false, false) => ",",
                    };
                    *first = false;
                    write!(out, "{sep}{}", o.to_json())?;
                }
            }
            Sink::Csv => {
                for o in outcomes {
                    out.write_all(output::csv_line(&outcome_row(o))?.as_bytes())?;
                }
            }
            Sink::Table(rows) => {
                rows.extend(outcomes.iter().map(outcome_row));
                if rows.len() >= TABLE_ROWS {
                    print_table(&mut out, rows)?;
                }
            }
        }
        out.flush()
    }

    fn end(&mut self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self {
            Sink::Json { pretty, first } => {
                let close = if *pretty && !*first { "\n]" } else { "]" };
                writeln!(out, "{close}")?;
            }
            Sink::Csv => {}
            Sink::Table(rows) => {
                if !rows.is_empty() {
                    print_table(&mut out, rows)?;
                }
            }
        }
        out.flush()
    }
}

fn print_table(out: &mut impl Write, rows: &mut Vec<Vec<String>>) -> std::io::Result<()> {
    let columns: Vec<String> = OUTCOME_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    writeln!(out, "{}", output::table(&columns, rows))?;
    rows.clear();
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header(names: &str) -> csv::StringRecord {
        csv::StringRecord::from(names.split(',').collect::<Vec<_>>())
    }

    #[test]
    fn a_header_names_each_item_field_once() {
        assert!(check_header(&header("user,amount,comment,operator")).is_ok());
        assert!(check_header(&header("trans_id,user,action,comment,operator")).is_ok());
        let e = check_header(&header("user,amount,comment,operator,amount")).unwrap_err();
        assert_eq!(e.field(), Some("header"));
        assert!(
            e.to_string()
                .contains("column 5 (\"amount\") repeats column 2"),
            "{e}"
        );
        let e = check_header(&header("user,amount,user,operator")).unwrap_err();
        assert!(
            e.to_string()
                .contains("column 3 (\"user\") repeats column 1"),
            "{e}"
        );
        let e = check_header(&header("user,amount,colour")).unwrap_err();
        assert!(e.to_string().contains("column 3 (\"colour\")"), "{e}");
        let e = check_header(&header("user,,amount")).unwrap_err();
        assert!(e.to_string().contains("column 2 (\"\")"), "{e}");
    }
}
