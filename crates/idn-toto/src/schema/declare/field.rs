//! The field types of a declared parameters struct: how each is read from
//! canonical JSON (`T` required, `Option<T>` optional, `Page` defaults to
//! 1), written into a request and into a move's settle parameters.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde_json::Value;

use crate::schema::error::Error;
use crate::schema::moves::{Action, TxType};
use crate::schema::param::ParamType;
use crate::schema::params::ParamReader;
use crate::schema::params::{Amount, Page, PgaStatusFilter, Segment, Text};

/// A parameter's value as the template writes it.
pub(crate) struct Val<'a> {
    /// Which of a placeholder's words (`{type:dps|wd}`) it picks.
    pub(crate) pick: Option<usize>,
    /// Its text (percent-encoded in a path segment, in a query by
    /// [`Client`]).
    pub(crate) text: Cow<'a, str>,
}

impl<'a> Val<'a> {
    pub(crate) fn text(text: impl Into<Cow<'a, str>>) -> Val<'a> {
        Val {
            pick: None,
            text: text.into(),
        }
    }
}

/// A field type of a declared parameters struct: how it is read from
/// canonical JSON, written into a request and into a move's settle
/// parameters. Required-ness comes with the type.
pub(crate) trait Field: Sized {
    const TYPE: ParamType;
    const REQUIRED: bool;
    fn read(r: &ParamReader<'_>, name: &str) -> Result<Self, Error>;
    /// `None` when absent.
    fn value(&self) -> Option<Val<'_>>;
    /// The canonical JSON value; `None` when absent.
    fn to_json(&self) -> Option<Value>;
}

/// A parameter type given as text (a string or a number): `T` is required,
/// `Option<T>` optional.
pub(crate) trait FromText: Sized {
    const TYPE: ParamType;
    fn from_text(field: &str, text: String) -> Result<Self, Error>;
    fn val(&self) -> Val<'_>;
    fn json(&self) -> Value;
}

impl<T: FromText> Field for T {
    const TYPE: ParamType = T::TYPE;
    const REQUIRED: bool = true;

    fn read(r: &ParamReader<'_>, name: &str) -> Result<T, Error> {
        T::from_text(&r.field(name), r.text(name)?)
    }

    fn value(&self) -> Option<Val<'_>> {
        Some(self.val())
    }

    fn to_json(&self) -> Option<Value> {
        Some(self.json())
    }
}

impl<T: FromText> Field for Option<T> {
    const TYPE: ParamType = T::TYPE;
    const REQUIRED: bool = false;

    fn read(r: &ParamReader<'_>, name: &str) -> Result<Option<T>, Error> {
        r.opt_text(name)?
            .map(|v| T::from_text(&r.field(name), v))
            .transpose()
    }

    fn value(&self) -> Option<Val<'_>> {
        self.as_ref().map(T::val)
    }

    fn to_json(&self) -> Option<Value> {
        self.as_ref().map(T::json)
    }
}

impl FromText for Segment {
    const TYPE: ParamType = ParamType::Segment;
    fn from_text(field: &str, text: String) -> Result<Segment, Error> {
        Segment::new(field, text)
    }
    fn val(&self) -> Val<'_> {
        Val::text(self.as_str())
    }
    fn json(&self) -> Value {
        self.as_str().into()
    }
}

impl FromText for Text {
    const TYPE: ParamType = ParamType::Text;
    fn from_text(field: &str, text: String) -> Result<Text, Error> {
        Text::new(field, text)
    }
    fn val(&self) -> Val<'_> {
        Val::text(self.as_str())
    }
    fn json(&self) -> Value {
        self.as_str().into()
    }
}

/// Checked as [`Text`], kept as a `String` (the transaction list's `name`).
impl FromText for String {
    const TYPE: ParamType = ParamType::Text;
    fn from_text(field: &str, text: String) -> Result<String, Error> {
        Text::new(field, text).map(|t| t.as_str().to_owned())
    }
    fn val(&self) -> Val<'_> {
        Val::text(self.as_str())
    }
    fn json(&self) -> Value {
        self.as_str().into()
    }
}

impl FromText for TxType {
    const TYPE: ParamType = ParamType::TxType;
    fn from_text(field: &str, text: String) -> Result<TxType, Error> {
        TxType::parse(field, &text)
    }
    fn val(&self) -> Val<'_> {
        Val {
            pick: Some(match self {
                TxType::Deposit => 0,
                TxType::Withdraw => 1,
            }),
            text: self.as_str().into(),
        }
    }
    fn json(&self) -> Value {
        self.as_str().into()
    }
}

impl FromText for Action {
    const TYPE: ParamType = ParamType::Action;
    fn from_text(field: &str, text: String) -> Result<Action, Error> {
        Action::parse(field, &text)
    }
    fn val(&self) -> Val<'_> {
        Val::text(self.as_wire())
    }
    /// The wire word (`ACCEPT`), as journal records have always held it
    /// (read back case-insensitively).
    fn json(&self) -> Value {
        self.as_wire().into()
    }
}

impl FromText for NaiveDate {
    const TYPE: ParamType = ParamType::Date;
    fn from_text(field: &str, text: String) -> Result<NaiveDate, Error> {
        crate::schema::params::parse_request_date(field, &text)
    }
    fn val(&self) -> Val<'_> {
        Val::text(crate::schema::params::format_date(*self))
    }
    fn json(&self) -> Value {
        crate::schema::params::format_date(*self).into()
    }
}

impl FromText for PgaStatusFilter {
    const TYPE: ParamType = ParamType::PgaStatus;
    fn from_text(field: &str, text: String) -> Result<PgaStatusFilter, Error> {
        PgaStatusFilter::parse(field, &text)
    }
    fn val(&self) -> Val<'_> {
        Val::text(self.as_str())
    }
    fn json(&self) -> Value {
        self.as_str().into()
    }
}

/// A decimal string or a JSON number (never through a float).
impl Field for Amount {
    const TYPE: ParamType = ParamType::Amount;
    const REQUIRED: bool = true;
    fn read(r: &ParamReader<'_>, name: &str) -> Result<Amount, Error> {
        r.amount(name)
    }
    fn value(&self) -> Option<Val<'_>> {
        Some(Val::text(self.to_wire()))
    }
    fn to_json(&self) -> Option<Value> {
        Some(self.to_wire().into())
    }
}

/// Absent means page 1.
impl Field for Page {
    const TYPE: ParamType = ParamType::Page;
    const REQUIRED: bool = false;
    fn read(r: &ParamReader<'_>, name: &str) -> Result<Page, Error> {
        r.page(name)
    }
    fn value(&self) -> Option<Val<'_>> {
        Some(Val::text(self.get().to_string()))
    }
    fn to_json(&self) -> Option<Value> {
        Some(self.get().into())
    }
}
