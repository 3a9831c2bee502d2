//! Sender names against account names (rule 4): case, spaces and
//! punctuation folded; a name the bank cut short matches the name it begins
//! when it keeps at least [`MIN_TRUNCATED_NAME`] characters.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

/// A sender name the bank cut short matches an account name it begins, when
/// it keeps at least this many characters (letters and digits) (rule 4).
pub const MIN_TRUNCATED_NAME: usize = 8;

/// How the credit's sender name matched the request's `bank_acc_name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// The same letters and digits.
    Exact,
    /// The bank cut the name short: a prefix of at least
    /// [`MIN_TRUNCATED_NAME`] characters.
    Truncated,
    /// The credit carries no name (approved because no other request of
    /// the account and amount is in its window).
    Absent,
}

/// The letters and digits of `s`, upper-cased (`"Budi  Santoso, S.E."` ->
/// `"BUDISANTOSOSE"`).
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A folded name and its length in characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Folded {
    pub(crate) text: String,
    pub(crate) chars: usize,
}

impl Folded {
    pub(crate) fn new(s: &str) -> Folded {
        let text = fold(s);
        let chars = text.chars().count();
        Folded { text, chars }
    }

    /// A sender name: `None` when nothing is left after folding (`""`,
    /// `"-"`, `"***"`): such a credit carries no name.
    pub(crate) fn sender(s: Option<&str>) -> Option<Folded> {
        s.map(Folded::new).filter(|f| f.chars > 0)
    }

    /// The names a sender name may take to match this account name: the
    /// name itself and each of its prefixes of at least
    /// [`MIN_TRUNCATED_NAME`] characters.
    pub(crate) fn sender_forms(&self) -> impl Iterator<Item = &str> {
        let text = self.text.as_str();
        let cuts = text
            .char_indices()
            .map(|(i, _)| i)
            .skip(MIN_TRUNCATED_NAME)
            .map(move |i| &text[..i]);
        cuts.chain(std::iter::once(text))
    }
}

/// Every folded name of a run, sorted and once: a name's id is its
/// position, so the names a sender name begins are one range of ids.
#[derive(Debug, Default)]
pub(crate) struct NameTable {
    names: Vec<String>,
    chars: Vec<usize>,
}

impl NameTable {
    /// The table of `entries` (a name and its owner, `owners` of them), and
    /// each owner's name id.
    pub(crate) fn build(entries: Vec<(String, usize)>, owners: usize) -> (NameTable, Vec<u32>) {
        // Distinct names first (a day repeats its names), then sorted.
        let mut first_ids: HashMap<String, usize> = HashMap::new();
        let mut first = vec![0usize; owners];
        for (name, owner) in entries {
            let next = first_ids.len();
            let id = *first_ids.entry(name).or_insert(next);
            if let Some(slot) = first.get_mut(owner) {
                *slot = id;
            }
        }
        let mut distinct: Vec<(String, usize)> = first_ids.into_iter().collect();
        distinct.sort_unstable();
        let mut sorted_id = vec![0u32; distinct.len()];
        let mut table = NameTable::default();
        for (position, (name, id)) in distinct.into_iter().enumerate() {
            if let Some(slot) = sorted_id.get_mut(id) {
                *slot = u32::try_from(position).unwrap_or(u32::MAX);
            }
            table.chars.push(name.chars().count());
            table.names.push(name);
        }
        // An owner without a name keeps id 0 (never read).
        let ids = first
            .into_iter()
            .map(|id| sorted_id.get(id).copied().unwrap_or(0))
            .collect();
        (table, ids)
    }

    pub(crate) fn text(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn id(&self, name: &str) -> Option<u32> {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The account names sender name `sender` fits: itself and, when it
    /// keeps at least [`MIN_TRUNCATED_NAME`] characters, every name it
    /// begins.
    pub(crate) fn fitted_by(&self, sender: u32) -> Range<u32> {
        let text = self.text(sender);
        if self.chars.get(sender as usize).copied().unwrap_or(0) < MIN_TRUNCATED_NAME {
            return sender..sender + 1;
        }
        let from = sender as usize;
        let end = from
            + self
                .names
                .get(from..)
                .unwrap_or_default()
                .partition_point(|n| n.starts_with(text));
        sender..u32::try_from(end).unwrap_or(u32::MAX)
    }

    pub(crate) fn matches(&self, sender: u32, account: u32) -> Option<NameMatch> {
        if sender == account {
            Some(NameMatch::Exact)
        } else if self.fitted_by(sender).contains(&account) {
            Some(NameMatch::Truncated)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sender: &str, account: &str) -> Option<NameMatch> {
        let (s, a) = (Folded::new(sender).text, Folded::new(account).text);
        let (table, ids) = NameTable::build(vec![(s, 0), (a, 1)], 2);
        table.matches(ids[0], ids[1])
    }

    #[test]
    fn folds_case_spaces_and_punctuation() {
        assert_eq!(fold("Budi  Santoso, S.E."), "BUDISANTOSOSE");
        assert_eq!(m("budi santoso", "BUDI SANTOSO"), Some(NameMatch::Exact));
        assert_eq!(m("BUDI-SANTOSO", "Budi Santoso"), Some(NameMatch::Exact));
        assert_eq!(m("ñoño", "ÑOÑO"), Some(NameMatch::Exact));
    }

    #[test]
    fn a_truncated_name_needs_eight_characters() {
        assert_eq!(m("BUDI SAN", "BUDI SANTOSO"), None); // 7 letters
        assert_eq!(m("BUDI SANT", "BUDI SANTOSO"), Some(NameMatch::Truncated));
        assert_eq!(m("BUDI SA", "BUDI SANTOSO"), None);
        assert_eq!(m("BUDISAN", "BUDI SANTOSO"), None);
        assert_eq!(m("BUDI SANTOSO X", "BUDI SANTOSO"), None);
        assert_eq!(m("SANTOSO", "BUDI SANTOSO"), None);
    }

    #[test]
    fn sender_forms_are_the_name_and_its_long_prefixes() {
        let f = Folded::new("Budi Santoso");
        let forms: Vec<&str> = f.sender_forms().collect();
        assert_eq!(
            forms,
            ["BUDISANT", "BUDISANTO", "BUDISANTOS", "BUDISANTOSO"]
        );
        let short = Folded::new("Eko");
        assert_eq!(short.sender_forms().collect::<Vec<_>>(), ["EKO"]);
        for form in f.sender_forms() {
            assert!(m(form, "Budi Santoso").is_some(), "{form}");
        }
    }

    #[test]
    fn a_sender_fits_the_names_it_begins_as_one_range() {
        let names = [
            "BUDISANTOSO",
            "BUDISANTOSOPUTRA",
            "BUDISANT",
            "BUDI",
            "CITRA",
            "BUDISANTOX",
        ];
        let (table, ids) = NameTable::build(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| ((*n).to_owned(), i))
                .collect(),
            names.len(),
        );
        let fits =
            |i: usize| -> Vec<&str> { table.fitted_by(ids[i]).map(|id| table.text(id)).collect() };
        assert_eq!(
            fits(2),
            ["BUDISANT", "BUDISANTOSO", "BUDISANTOSOPUTRA", "BUDISANTOX"]
        );
        assert_eq!(fits(0), ["BUDISANTOSO", "BUDISANTOSOPUTRA"]);
        assert_eq!(fits(3), ["BUDI"]); // too short to be a cut name
        assert_eq!(table.id("CITRA"), Some(ids[4]));
        assert_eq!(table.id("CITR"), None);
    }

    #[test]
    fn an_empty_sender_name_is_no_name() {
        assert_eq!(Folded::sender(Some(" - ")), None);
        assert_eq!(Folded::sender(None), None);
        assert!(Folded::sender(Some("a")).is_some());
    }
}
