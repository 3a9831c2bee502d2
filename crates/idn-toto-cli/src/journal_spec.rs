//! What a `--journal` value may show: a `postgres://` URL may carry a
//! password, which is warned about and never printed. Used by every
//! command that takes a journal (`call`, `batch`, `match`, `journal ...`).

/// Warns on stderr when a `postgres://` journal URL carries a password:
/// every user of the machine can read a command line (`ps`), as with a
/// token on argv. The URL itself is never printed.
pub(crate) fn warn_if_password(spec: &str) {
    if has_password(spec) {
        eprintln!(
            "idn-toto: warning: the journal URL carries a password, which every user of this \
             machine can read on the command line; give it in PGPASSWORD instead"
        );
    }
}

/// Whether a `postgres://user:password@host/...` URL holds a password.
fn has_password(spec: &str) -> bool {
    let Some(rest) = spec
        .strip_prefix("postgres://")
        .or_else(|| spec.strip_prefix("postgresql://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// A `--journal` value as it may be printed: a `postgres://` URL may hold a
/// password, so it is never shown.
pub(crate) fn journal_label(spec: &str) -> String {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        "postgres://...".into()
    } else {
        spec.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_journal_url_is_found() {
        assert!(has_password("postgres://u:pw@db/x"));
        assert!(has_password(
            "postgresql://u:p%40w@db:5432/x?sslmode=disable"
        ));
        assert!(!has_password("postgres://u@db/x"));
        assert!(!has_password("postgres://db/x?user=u"));
        assert!(!has_password("sqlite:/tmp/a:b@c"));
        assert!(!has_password("moves.jsonl"));
        assert_eq!(journal_label("postgres://u:pw@db/x"), "postgres://...");
    }
}
