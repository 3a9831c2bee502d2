//! Maps a request line (method, path, query) to one of the API's 13 endpoints.
//!
//! Routing is done by hand rather than with axum's router so that every input,
//! including malformed percent-encoding, gets one of the sandbox's JSON answers.

use percent_encoding::percent_decode_str;

use crate::model::TxKind;

/// The API's mount point; the token is the next path segment.
pub(crate) const PREFIX: &str = "/home.php";

/// One parsed API call; path segments are percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// 1. `GET /TOKEN/{dps|wd}[/BANK][?name=NAME]`
    TransactionList {
        kind: TxKind,
        bank: Option<String>,
        name: Option<String>,
    },
    /// 2. `GET /TOKEN/{push_dps|push_wd}/TRANS_ID/USER/ACTION/COMMENT/OPERATOR`
    Decide {
        kind: TxKind,
        trans_id: String,
        user: String,
        action: String,
    },
    /// 3. `POST /TOKEN/{push_dps|push_wd}`
    DecideBatch { kind: TxKind },
    /// 3. `POST /TOKEN/MANUAL/{depo|dps|wd}` (or `manual_dps` / `manual_wd`)
    ManualBatch { kind: TxKind },
    /// 4. `GET /TOKEN/MANUAL/{depo|dps|wd}/USER/COMMENT/AMOUNT/OPERATOR`
    Manual {
        kind: TxKind,
        user: String,
        amount: String,
    },
    /// 5. `GET /TOKEN/player_info/USER`
    PlayerInfo { user: String },
    /// 6. `GET /TOKEN/history/{dps|wd}/USER`
    History { kind: TxKind, user: String },
    /// 7. `GET /TOKEN/latest/{dps|wd}/USER`
    Latest { kind: TxKind, user: String },
    /// 8. `GET /TOKEN/game_list`
    GameList,
    /// 9. `GET /TOKEN/number_history/GAMECODE`
    NumberHistory { gamecode: String },
    /// 10. `GET /TOKEN/referral/USER`
    Referral { user: String },
    /// 11. `GET /TOKEN/{full_transaction|full_transction}/USER/PAGE[?date=YYYY-MM-DD]`
    FullTransaction {
        user: String,
        page: String,
        date: Option<String>,
    },
    /// 12. `POST /TOKEN/pga`
    Pga,
    /// 13. `GET /TOKEN/bank_list`
    BankList,
}

impl Route {
    /// Whether the endpoint reads a request body.
    pub(crate) fn has_body(&self) -> bool {
        matches!(
            self,
            Route::DecideBatch { .. } | Route::ManualBatch { .. } | Route::Pga
        )
    }
}

/// Why a request matched no endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RouteError {
    /// Not under `/home.php/`, or no endpoint has this method and shape.
    Unknown,
    /// The token segment is missing or wrong.
    InvalidToken,
    /// A path segment or query value is not valid percent-encoded UTF-8.
    BadEncoding,
}

/// Percent-decodes one path segment (`+` stays a plus sign).
pub(crate) fn decode_segment(segment: &str) -> Result<String, RouteError> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| RouteError::BadEncoding)
}

/// Finds the value of `key` (ASCII case-insensitive) in a query string; `+` is a space.
fn query_value(query: Option<&str>, key: &str) -> Result<Option<String>, RouteError> {
    let Some(query) = query else {
        return Ok(None);
    };
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if decode_segment(&name.replace('+', " "))?.eq_ignore_ascii_case(key) {
            return decode_segment(&value.replace('+', " ")).map(Some);
        }
    }
    Ok(None)
}

fn list_kind(word: &str) -> Option<TxKind> {
    match word {
        "dps" => Some(TxKind::Deposit),
        "wd" => Some(TxKind::Withdraw),
        _ => None,
    }
}

fn push_kind(word: &str) -> Option<TxKind> {
    match word {
        "push_dps" => Some(TxKind::Deposit),
        "push_wd" => Some(TxKind::Withdraw),
        _ => None,
    }
}

/// `MANUAL/<word>`: the spec says `depo` in one place and `dps` in another.
fn manual_kind(manual: &str, word: &str) -> Option<TxKind> {
    if !manual.eq_ignore_ascii_case("manual") {
        return None;
    }
    match word {
        "depo" | "dps" => Some(TxKind::Deposit),
        "wd" => Some(TxKind::Withdraw),
        _ => None,
    }
}

/// Parses `method path?query` for the sandbox holding `token`.
pub(crate) fn parse(
    method: &str,
    path: &str,
    query: Option<&str>,
    token: &str,
) -> Result<Route, RouteError> {
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Err(RouteError::Unknown);
    };
    if rest.is_empty() || rest == "/" {
        return Err(RouteError::InvalidToken);
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return Err(RouteError::Unknown);
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segments = Vec::new();
    for segment in rest.split('/') {
        segments.push(decode_segment(segment)?);
    }
    let Some((first, segments)) = segments.split_first() else {
        return Err(RouteError::InvalidToken);
    };
    if first != token {
        return Err(RouteError::InvalidToken);
    }
    let words: Vec<&str> = segments.iter().map(String::as_str).collect();
    let owned = |text: &str| text.to_owned();
    let route = match (method, words.as_slice()) {
        ("GET", [kind]) if list_kind(kind).is_some() => Route::TransactionList {
            kind: list_kind(kind).ok_or(RouteError::Unknown)?,
            bank: None,
            name: query_value(query, "name")?,
        },
        ("GET", [kind, bank]) if list_kind(kind).is_some() => Route::TransactionList {
            kind: list_kind(kind).ok_or(RouteError::Unknown)?,
            bank: Some(owned(bank)),
            name: query_value(query, "name")?,
        },
        ("GET", [kind, trans_id, user, action, _comment, _operator])
            if push_kind(kind).is_some() =>
        {
            Route::Decide {
                kind: push_kind(kind).ok_or(RouteError::Unknown)?,
                trans_id: owned(trans_id),
                user: owned(user),
                action: owned(action),
            }
        }
        ("POST", [kind]) if push_kind(kind).is_some() => Route::DecideBatch {
            kind: push_kind(kind).ok_or(RouteError::Unknown)?,
        },
        ("POST", [manual, kind]) if manual_kind(manual, kind).is_some() => Route::ManualBatch {
            kind: manual_kind(manual, kind).ok_or(RouteError::Unknown)?,
        },
        ("POST", ["manual_dps" | "manual_depo"]) => Route::ManualBatch {
            kind: TxKind::Deposit,
        },
        ("POST", ["manual_wd"]) => Route::ManualBatch {
            kind: TxKind::Withdraw,
        },
        ("GET", [manual, kind, user, _comment, amount, _operator])
            if manual_kind(manual, kind).is_some() =>
        {
            Route::Manual {
                kind: manual_kind(manual, kind).ok_or(RouteError::Unknown)?,
                user: owned(user),
                amount: owned(amount),
            }
        }
        ("GET", ["player_info", user]) => Route::PlayerInfo { user: owned(user) },
        ("GET", ["history", kind, user]) if list_kind(kind).is_some() => Route::History {
            kind: list_kind(kind).ok_or(RouteError::Unknown)?,
            user: owned(user),
        },
        ("GET", ["latest", kind, user]) if list_kind(kind).is_some() => Route::Latest {
            kind: list_kind(kind).ok_or(RouteError::Unknown)?,
            user: owned(user),
        },
        ("GET", ["game_list"]) => Route::GameList,
        ("GET", ["number_history", gamecode]) => Route::NumberHistory {
            gamecode: owned(gamecode),
        },
        ("GET", ["referral", user]) => Route::Referral { user: owned(user) },
        ("GET", ["full_transaction" | "full_transction", user, page]) => Route::FullTransaction {
            user: owned(user),
            page: owned(page),
            date: query_value(query, "date")?,
        },
        ("POST", ["pga"]) => Route::Pga,
        ("GET", ["bank_list"]) => Route::BankList,
        _ => return Err(RouteError::Unknown),
    };
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::{parse, Route, RouteError};
    use crate::model::TxKind;

    fn get(path: &str, query: Option<&str>) -> Result<Route, RouteError> {
        parse("GET", path, query, "TOK")
    }

    #[test]
    fn routes_every_shape() {
        assert_eq!(
            get("/home.php/TOK/dps/bca", Some("NAME=PT+SANDBOX%20TOTO")),
            Ok(Route::TransactionList {
                kind: TxKind::Deposit,
                bank: Some("bca".into()),
                name: Some("PT SANDBOX TOTO".into()),
            })
        );
        assert_eq!(
            get(
                "/home.php/TOK/push_wd/1/joko%20santoso/accept/c%2Fd/op",
                None
            ),
            Ok(Route::Decide {
                kind: TxKind::Withdraw,
                trans_id: "1".into(),
                user: "joko santoso".into(),
                action: "accept".into(),
            })
        );
        assert_eq!(
            get("/home.php/TOK/MANUAL/depo/u/c/10000/op/", None),
            Ok(Route::Manual {
                kind: TxKind::Deposit,
                user: "u".into(),
                amount: "10000".into(),
            })
        );
        assert_eq!(
            parse("POST", "/home.php/TOK/manual_wd", None, "TOK"),
            Ok(Route::ManualBatch {
                kind: TxKind::Withdraw
            })
        );
        assert_eq!(
            get("/home.php/TOK/full_transction/u/2", Some("date=2024-05-17")),
            Ok(Route::FullTransaction {
                user: "u".into(),
                page: "2".into(),
                date: Some("2024-05-17".into()),
            })
        );
    }

    #[test]
    fn refuses_what_matches_nothing() {
        assert_eq!(
            get("/home.php/WRONG/dps", None),
            Err(RouteError::InvalidToken)
        );
        assert_eq!(get("/home.php", None), Err(RouteError::InvalidToken));
        assert_eq!(get("/home.php/", None), Err(RouteError::InvalidToken));
        assert_eq!(get("/other", None), Err(RouteError::Unknown));
        assert_eq!(get("/home.phpx/TOK/dps", None), Err(RouteError::Unknown));
        assert_eq!(get("/home.php/TOK/pga", None), Err(RouteError::Unknown));
        assert_eq!(get("/home.php/TOK/nope", None), Err(RouteError::Unknown));
        assert_eq!(
            get("/home.php/TOK/player_info/%FF", None),
            Err(RouteError::BadEncoding)
        );
        assert_eq!(
            get("/home.php/TOK/dps", Some("name=%C3")),
            Err(RouteError::BadEncoding)
        );
        assert!(get("/home.php/TOK/player_info/%zz", None).is_ok());
    }
}
