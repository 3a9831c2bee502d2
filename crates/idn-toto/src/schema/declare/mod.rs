//! Declarative endpoints: one [`endpoint!`] declaration per endpoint states
//! its method, path template, parameters (name, type, required-ness,
//! location), whether it moves money, its wire type and its next-page rule;
//! the parameters struct, `from_json`, the [`crate::Endpoint`] constants
//! (`PARAMS`, `PARAMETERS`), `request()`, the parsing glue and a single move's
//! settle parameters all come from it.
//!
//! The URL is built by reading the path template ([`render`]), so the
//! template shown in the docs, the CLI listing and the bindings is the one
//! the request follows. A parameter's required-ness is its field's type
//! (`T` required, `Option<T>` optional, [`crate::Page`] defaults to 1), so
//! the metadata can't disagree with what `from_json` accepts.
//!
//! Template grammar (after the base URL): `/{token}` first; then `/word` (a
//! literal path word), `/{name}` (the parameter's text, percent-encoded),
//! `/{name:a|b}` (one of the words, picked by the parameter: `TxType` picks
//! the first for a deposit, the second for a withdrawal), `[...]` (an
//! optional group, left out when a parameter in it is absent) and
//! `?key={name}` (a query parameter). A declaration's `words` maps a default
//! word of its template to the [`PathWords`] field that overrides it.

use serde_json::{Map, Value};

use crate::schema::client::Client;
use crate::schema::endpoint::Endpoint;
use crate::schema::request::Request;

mod field;
mod row;
mod template;

pub(crate) use crate::schema::param::Location;
pub(crate) use field::{Field, Val};
pub(crate) use row::row;
#[cfg(test)]
pub(crate) use template::placeholders;
pub(crate) use template::{render, Word};

/// What the [`endpoint!`] macro generates besides the [`Endpoint`]
/// constants: a parameter's value by name, and the overridable words.
pub(crate) trait Declared: Endpoint {
    /// The template's words that [`PathWords`] overrides.
    const WORDS: &'static [Word] = &[];

    /// A parameter's value by its canonical name; `None` when absent.
    fn value(&self, name: &str) -> Option<Val<'_>>;

    /// The JSON body: every `body` parameter present, as an object; `None`
    /// when the endpoint declares none.
    fn body(&self) -> Option<Vec<u8>> {
        let mut m = Map::new();
        for p in Self::PARAMETERS
            .iter()
            .filter(|p| p.location == Location::Body)
        {
            if let Some(v) = self.json(p.name) {
                m.insert(p.name.into(), v);
            }
        }
        let any = Self::PARAMETERS
            .iter()
            .any(|p| p.location == Location::Body);
        any.then(|| Value::Object(m).to_string().into_bytes())
    }

    /// A parameter's canonical JSON by name.
    fn json(&self, name: &str) -> Option<Value>;

    /// Every parameter present as canonical JSON (a single money move's
    /// settle parameters).
    fn params_json(&self) -> Value {
        let mut m = Map::new();
        for p in Self::PARAMETERS {
            if let Some(v) = self.json(p.name) {
                m.insert(p.name.into(), v);
            }
        }
        Value::Object(m)
    }
}

/// The request for `params`: the URL read from `E::PATH` with the
/// parameters' values, the body from [`Declared::body`].
pub(crate) fn request<E: Declared>(params: &E, client: &Client) -> Request {
    request_with::<E>(client, &|name| params.value(name), params.body())
}

/// [`request`] with the values and the body given.
pub(crate) fn request_with<'a, E: Declared>(
    client: &'a Client,
    value: &dyn Fn(&str) -> Option<Val<'a>>,
    body: Option<Vec<u8>>,
) -> Request {
    let (segments, query) = render(E::PATH, E::WORDS, client.path_words(), value);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.assemble::<E>(&segments, &query, body)
}

/// Declares one endpoint: its parameters struct (each field `name in
/// location`; required-ness from the field's type), then its facts. Makes
/// the struct, `from_json`, the [`crate::Endpoint`] impl (`request` from the
/// path template; `parse`; `money_params` for a single move) and the
/// sealed `wire::Parse` impl (unless `wire: custom`).
///
/// ```text
/// endpoint! {
///     /// Parameters: `GET /TOKEN/player_info/USER`.
///     #[derive(Debug, Clone, PartialEq, Eq)]
///     pub struct UserBalanceParams {
///         /// User id in game.
///         pub user: Segment = "user" in Path,
///     }
///     impl Endpoint {
///         id: UserBalance,        // the `EndpointId` variant
///         function: "Check User Balance",
///         method: Get,
///         path: "/{token}/player_info/{user}",
///         money: none,            // or `single` (settle parameters) or `batch`
///         response: UserBalance,
///         wire: BalanceWire,      // or `custom` (the file implements `wire::Parse`)
///         // optional: words: { "full_transaction" => full_transaction },
///         //           next_page: by_total => TurnoverRow,
///         //           check: Self::check, request: Self::build,
///         //           transcode: keyed_rows(ROW_FIELDS) or page(PAGE_FIELDS)
///         //             (the one-pass transcoder, `wire/fast.rs`),
///     }
/// }
/// ```
macro_rules! endpoint {
    (
        $(#[$smeta:meta])*
        pub struct $P:ident;
        impl Endpoint { id: $id:ident, $($facts:tt)* }
    ) => {
        $(#[$smeta])*
        pub struct $P;

        $crate::schema::declare::endpoint!(@endpoint $P, $id, {}, $($facts)*);
    };
    (
        $(#[$smeta:meta])*
        pub struct $P:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $fty:ty = $name:literal in $loc:ident,
            )*
        }
        impl Endpoint { id: $id:ident, $($facts:tt)* }
    ) => {
        $(#[$smeta])*
        pub struct $P {
            $(
                $(#[$fmeta])*
                $fvis $field: $fty,
            )*
        }

        $crate::schema::declare::endpoint!(
            @endpoint $P, $id, { $($field: $fty = $name in $loc,)* }, $($facts)*
        );
    };

    (
        @endpoint $P:ident, $id:ident,
        { $($field:ident : $fty:ty = $name:literal in $loc:ident,)* },
        function: $function:literal,
        method: $method:ident,
        path: $path:literal,
        $(words: { $($word:literal => $wfield:ident),* $(,)? },)?
        money: $money:ident,
        response: $Response:ty,
        wire: $wire:ident,
        $(holds: [$($Held:ty),* $(,)?],)?
        $(transcode: $how:ident($fields:expr),)?
        $(next_page: $rule:ident => $Row:ident,)?
        $(check: $check:path,)?
        $(request: $build:path,)?
    ) => {
        impl $P {
            /// Reads canonical JSON parameters: names, types and which are
            /// required as declared ([`crate::Endpoint::PARAMETERS`]).
            pub fn from_json(v: &serde_json::Value) -> Result<$P, $crate::schema::error::Error> {
                let r = $crate::schema::params::ParamReader::new(v, "")?;
                r.only(<$P as $crate::schema::endpoint::Endpoint>::PARAMS)?;
                let p = $P {
                    $($field: <$fty as $crate::schema::declare::Field>::read(&r, $name)?,)*
                };
                $(let p = $check(p)?;)?
                Ok(p)
            }
        }

        impl $crate::schema::declare::Declared for $P {
            $(
                const WORDS: &'static [$crate::schema::declare::Word] =
                    &[$(($word, |w: &$crate::schema::client::PathWords| w.$wfield.as_str())),*];
            )?

            fn value(&self, name: &str) -> Option<$crate::schema::declare::Val<'_>> {
                match name {
                    $($name => $crate::schema::declare::Field::value(&self.$field),)*
                    _ => None,
                }
            }

            fn json(&self, name: &str) -> Option<serde_json::Value> {
                match name {
                    $($name => $crate::schema::declare::Field::to_json(&self.$field),)*
                    _ => None,
                }
            }
        }

        impl $crate::schema::endpoint::Endpoint for $P {
            const ID: $crate::schema::id::EndpointId = $crate::schema::id::EndpointId::$id;
            const FUNCTION: &'static str = $function;
            const METHOD: $crate::schema::id::Method = $crate::schema::id::Method::$method;
            const PATH: &'static str = $path;
            const IDEMPOTENT: bool = $crate::schema::declare::endpoint!(@idempotent $money);
            const PARAMS: &'static [&'static str] = &[$($name),*];
            const PARAMETERS: &'static [$crate::schema::param::Param] = &[$(
                $crate::schema::param::Param::new(
                    $name,
                    <$fty as $crate::schema::declare::Field>::TYPE,
                    <$fty as $crate::schema::declare::Field>::REQUIRED,
                    $crate::schema::param::Location::$loc,
                )
            ),*];
            const NEXT_PAGE: Option<$crate::schema::endpoint::NextPageFn> =
                $crate::schema::declare::endpoint!(@next $P, $($rule)?);
            const ROWS: Option<&'static str> = $crate::schema::declare::endpoint!(@rows $($Row, $Response)?);
            type Response = $Response;
            #[cfg(feature = "tsify")]
            const SHAPES: &'static [&'static str] =
                &[<$Response as tsify::Tsify>::DECL $($(, <$Held as tsify::Tsify>::DECL)*)?];

            fn request(&self, client: &$crate::schema::client::Client) -> $crate::schema::request::Request {
                $crate::schema::declare::endpoint!(@request self, client, $($build)?)
            }

            $crate::schema::declare::endpoint!(@money $money);

            fn parse(status: u16, body: &[u8]) -> Result<$Response, $crate::schema::error::Error> {
                <Self as $crate::schema::wire::Parse>::parse_with::<$crate::schema::wire::Strict>(status, body)
            }
        }

        $crate::schema::declare::endpoint!(@parse $P, $Response, $wire, $($how($fields))?);
        $crate::schema::declare::endpoint!(@page_rows $P, $Response, $($rule, $Row)?);
    };

    (@idempotent none) => { true };
    (@idempotent single) => { false };
    (@idempotent batch) => { false };

    (@page_rows $P:ident, $Response:ty,) => {};
    (@page_rows $P:ident, $Response:ty, $rule:ident, $Row:ident) => {
        impl $crate::schema::paging::PageRows for $P {
            type Row = $Row;

            fn rows(page: $Response) -> Vec<$Row> {
                page.data
            }
        }

        impl $crate::schema::paging::Paged for $P {
            fn next_page(&self, response: &$Response) -> Result<Option<Self>, $crate::schema::error::Error> {
                // The declared rule, the same one the JSON form (`NEXT_PAGE`) runs.
                Ok($crate::schema::paging::$rule(self.page, response)?
                    .map(|page| $P { page, ..self.clone() }))
            }
        }

        impl $crate::schema::paging::PageView for $Response {
            fn total_page(&self) -> u64 {
                self.total_page
            }

            fn is_empty(&self) -> bool {
                self.data.is_empty()
            }

            fn answered_page(&self) -> Result<Option<u64>, $crate::schema::error::Error> {
                Ok($crate::schema::declare::endpoint!(@answered self, $rule))
            }
        }
    };

    (@answered $s:ident, by_total) => { None };
    (@answered $s:ident, by_total_checked) => { Some($s.page) };

    (@rows) => { None };
    (@rows $Row:ident, $Response:ty) => {{
        // The declared row type is the page's `data` rows (checked here by
        // the compiler): its name is what the bindings generate.
        const _: fn(&$Response) -> &[$Row] = |page| &page.data;
        Some(stringify!($Row))
    }};

    (@next $P:ident,) => { None };
    (@next $P:ident, $rule:ident) => {{
        // The declared rule over canonical JSON (the dynamic API, the
        // bindings' iterators): the parameters read as declared, the rule
        // the typed `Paged` impl runs.
        fn next(
            params: &serde_json::Value,
            response: &serde_json::Value,
        ) -> Result<Option<serde_json::Value>, $crate::schema::error::Error> {
            let asked = $P::from_json(params)?;
            Ok($crate::schema::paging::$rule(asked.page, response)?
                .map(|next| $crate::schema::paging::next_params_json(params, next)))
        }
        Some(next)
    }};

    (@request $s:ident, $c:ident,) => { $crate::schema::declare::request($s, $c) };
    (@request $s:ident, $c:ident, $build:path) => { $build($s, $c) };

    (@money single) => {
        fn money(&self) -> Option<$crate::schema::moves::MoveParams> {
            // The move from the typed parameters (`From<&Params> for
            // MoneyMove`, beside the declaration), the JSON beside it.
            Some($crate::schema::moves::MoveParams {
                money: $crate::schema::moves::MoneyMove::from(self),
                json: $crate::schema::declare::Declared::params_json(self),
            })
        }
    };
    (@money $other:ident) => {};

    (@parse $P:ident, $Response:ty, custom,) => {};
    (@parse $P:ident, $Response:ty, $Wire:ident, $($how:ident($fields:expr))?) => {
        impl $crate::schema::wire::Parse for $P {
            type Out = $Response;

            fn parse_with<R: $crate::schema::wire::Reader>(
                status: u16,
                body: &[u8],
            ) -> Result<$Response, $crate::schema::error::Error> {
                $crate::schema::wire::parse_with::<$Wire, R>(
                    <Self as $crate::schema::endpoint::Endpoint>::ID,
                    status,
                    body,
                )
            }

            $(
                fn transcode(status: u16, body: &[u8]) -> Option<String> {
                    $crate::schema::wire::$how(status, body, $fields)
                }
            )?
        }
    };
}
pub(crate) use endpoint;

/// Declares the wire type of a response in the common envelope: `success`
/// (a flag) and `message` (text, default empty) and then the response's own
/// fields, each with its serde reading. Makes the private wire struct and
/// its `Wire` impl: a `success: false` is the server's refusal, otherwise
/// the response is built field by field (`message` included).
///
/// ```text
/// envelope! {
///     struct HistoryWire -> UserHistory {
///         #[serde(default, deserialize_with = "wire::text")]
///         user: String,
///         #[serde(default, deserialize_with = "wire::rows")]
///         data: Vec<HistoryEntry>,
///     }
/// }
/// ```
macro_rules! envelope {
    (
        struct $W:ident -> $Out:ident {
            $($(#[$fmeta:meta])* $field:ident : $fty:ty,)*
        }
    ) => {
        #[derive(Debug, serde::Deserialize)]
        struct $W {
            #[serde(default, deserialize_with = "crate::schema::wire::flag")]
            success: Option<bool>,
            #[serde(default, deserialize_with = "crate::schema::wire::text")]
            message: String,
            $($(#[$fmeta])* $field: $fty,)*
        }

        impl $crate::schema::wire::Wire for $W {
            type Output = $Out;

            fn finish(self) -> Result<$Out, $crate::schema::error::Error> {
                $crate::schema::wire::check_success(self.success, &self.message)?;
                Ok($Out {
                    message: self.message,
                    $($field: self.$field,)*
                })
            }
        }
    };
}
pub(crate) use envelope;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::client::PathWords;
    use crate::schema::param::{Param, ParamType};
    use crate::schema::table::ENDPOINTS;

    /// Every declared template reads whole, and names each path and query
    /// parameter exactly once where it is declared; body parameters are not
    /// in it; nothing else is.
    #[test]
    fn templates_and_declared_parameters_agree() {
        for e in &ENDPOINTS {
            assert!(e.path.starts_with("/{token}"), "{}", e.id);
            let mut in_template = placeholders(e.path);
            in_template.sort();
            let mut declared: Vec<(&str, Location)> = e
                .parameters
                .iter()
                .filter(|p| p.location != Location::Body)
                .map(|p| (p.name, p.location))
                .collect();
            declared.sort();
            assert_eq!(in_template, declared, "{}", e.id);
            let names: Vec<&str> = e.parameters.iter().map(|p| p.name).collect();
            assert_eq!(names, e.params, "{}", e.id);
            let body = e.parameters.iter().any(|p| p.location == Location::Body);
            assert_eq!(
                body,
                e.method == crate::schema::id::Method::Post,
                "{}",
                e.id
            );
        }
    }

    fn sample(ty: ParamType) -> Value {
        match ty {
            ParamType::TxType => "deposit".into(),
            ParamType::Action => "accept".into(),
            ParamType::PgaStatus => "paid".into(),
            ParamType::Page => 2.into(),
            ParamType::Amount => "10000.50".into(),
            ParamType::Date => "2024-05-17".into(),
            ParamType::Items => serde_json::json!([
                {"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"}
            ]),
            ParamType::Segment | ParamType::Text => "x y".into(),
        }
    }

    /// What the bindings read as `required` is what `from_json` does: with
    /// every parameter the request builds; without a required one it is
    /// refused naming it; without an optional one it still builds.
    #[test]
    fn declared_required_is_what_from_json_requires() {
        let client = crate::schema::endpoints::test_support::client();
        for e in &ENDPOINTS {
            let full: Map<String, Value> = e
                .parameters
                .iter()
                .map(|p| (p.name.to_owned(), sample(p.ty)))
                .collect();
            let r = (e.build)(&client, &Value::Object(full.clone()));
            assert!(r.is_ok(), "{}: {r:?}", e.id);
            for p in e.parameters {
                let mut without = full.clone();
                without.remove(p.name);
                match (e.build)(&client, &Value::Object(without)) {
                    Ok(_) => assert!(!p.required, "{}.{} is required", e.id, p.name),
                    Err(err) => {
                        assert!(p.required, "{}.{}: {err}", e.id, p.name);
                        assert_eq!(err.field(), Some(p.name), "{}", e.id);
                    }
                }
            }
        }
    }

    /// Every parameter present shows in the request where it is declared
    /// (each text parameter with a value of its own: `v_<name>`).
    #[test]
    fn every_parameter_lands_where_declared() {
        let client = crate::schema::endpoints::test_support::client();
        let value = |p: &Param| match p.ty {
            ParamType::Segment | ParamType::Text => Value::from(format!("v_{}", p.name)),
            ty => sample(ty),
        };
        for e in &ENDPOINTS {
            let params: Map<String, Value> = e
                .parameters
                .iter()
                .map(|p| (p.name.to_owned(), value(p)))
                .collect();
            let r = (e.build)(&client, &Value::Object(params)).unwrap();
            let url = r.redacted_url();
            let (path, query) = url.split_once('?').unwrap_or((url, ""));
            let body = String::from_utf8_lossy(r.body().unwrap_or_default()).into_owned();
            for p in e.parameters {
                let text = match p.ty {
                    ParamType::Segment | ParamType::Text => format!("v_{}", p.name),
                    ParamType::TxType => "".to_owned(),
                    ParamType::Action => "ACCEPT".to_owned(),
                    ParamType::Amount => "10000.50".to_owned(),
                    ParamType::Page => "2".to_owned(),
                    ParamType::Date => "2024-05-17".to_owned(),
                    _ => String::new(),
                };
                let shown = match p.location {
                    Location::Path => path.contains(&format!("/{text}")),
                    Location::Query => query.contains(&format!("={text}")),
                    Location::Body => body.contains(&format!("\"{}\":", p.name)),
                };
                assert!(shown, "{}.{}: {url} {body}", e.id, p.name);
            }
        }
    }

    #[test]
    fn optional_groups_and_words() {
        let words = PathWords::default();
        let v = |name: &str| match name {
            "a" => Some(Val::text("x y")),
            "t" => Some(Val {
                pick: Some(1),
                text: "withdraw".into(),
            }),
            _ => None,
        };
        let (segments, query) = render(
            "/{token}/w/{t:p|q}/{a}[/{b}][?k={a}][?z={b}]",
            &[],
            &words,
            &v,
        );
        assert_eq!(segments, ["w", "q", "x%20y"]);
        assert_eq!(query, [("k".to_owned(), "x y".to_owned())]);
        let over: &[Word] = &[("q", |w| w.manual_deposit.as_str())];
        let (segments, _) = render("/{token}/{t:p|q}", over, &words, &v);
        assert_eq!(segments, ["depo"]);
    }
}
