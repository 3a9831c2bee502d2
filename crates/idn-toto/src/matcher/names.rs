//! Sender names against account names (rule 4): case, spaces and
//! punctuation folded; a name the bank cut short matches the name it begins
//! when it keeps at least [`MIN_TRUNCATED_NAME`] characters.

use super::types::{NameMatch, MIN_TRUNCATED_NAME};

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

    /// Whether this sender name matches the account name `account`, and how.
    pub(crate) fn matches(&self, account: &Folded) -> Option<NameMatch> {
        if self.text == account.text {
            Some(NameMatch::Exact)
        } else if self.chars >= MIN_TRUNCATED_NAME && account.text.starts_with(&self.text) {
            Some(NameMatch::Truncated)
        } else {
            None
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sender: &str, account: &str) -> Option<NameMatch> {
        Folded::new(sender).matches(&Folded::new(account))
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
            assert!(Folded::new(form).matches(&f).is_some(), "{form}");
        }
    }

    #[test]
    fn an_empty_sender_name_is_no_name() {
        assert_eq!(Folded::sender(Some(" - ")), None);
        assert_eq!(Folded::sender(None), None);
        assert!(Folded::sender(Some("a")).is_some());
    }
}
