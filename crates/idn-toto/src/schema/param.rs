//! A declared parameter: its name, type, required-ness and where it goes
//! (what `EndpointInfo::parameters` lists, and the bindings read).

use std::fmt;

use serde_json::Value;

/// What a parameter holds (its validated type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamType {
    /// Text that is one safe path segment ([`Segment`](crate::Segment)).
    Segment,
    /// Text without control characters ([`Text`](crate::Text)).
    Text,
    /// `"deposit"` or `"withdraw"` ([`TxType`](crate::TxType)).
    TxType,
    /// `"accept"` or `"reject"` ([`Action`](crate::Action)).
    Action,
    /// An exact decimal > 0, as a string or a number ([`Amount`](crate::Amount)).
    Amount,
    /// A page number from 1 ([`Page`](crate::Page)).
    Page,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// The PGA status filter ([`PgaStatusFilter`](crate::PgaStatusFilter)).
    PgaStatus,
    /// A list of multiple-transaction items ([`MultipleItem`](crate::MultipleItem)).
    Items,
}

impl ParamType {
    /// Every type, in declaration order.
    pub const ALL: [ParamType; 9] = [
        ParamType::Segment,
        ParamType::Text,
        ParamType::TxType,
        ParamType::Action,
        ParamType::Amount,
        ParamType::Page,
        ParamType::Date,
        ParamType::PgaStatus,
        ParamType::Items,
    ];

    /// The snake_case name (`segment`, `tx_type`, ...), as in
    /// [`crate::api::dynamic::endpoints_json`].
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Segment => "segment",
            ParamType::Text => "text",
            ParamType::TxType => "tx_type",
            ParamType::Action => "action",
            ParamType::Amount => "amount",
            ParamType::Page => "page",
            ParamType::Date => "date",
            ParamType::PgaStatus => "pga_status",
            ParamType::Items => "items",
        }
    }
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Location {
    /// A path segment of the template.
    Path,
    /// A query parameter of the template.
    Query,
    /// A field of the JSON body.
    Body,
}

impl Location {
    /// Every location.
    pub const ALL: [Location; 3] = [Location::Path, Location::Query, Location::Body];

    /// `"path"`, `"query"` or `"body"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Body => "body",
        }
    }
}

/// One declared parameter of an endpoint ([`crate::Endpoint::PARAMETERS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The canonical name (`trans_id`, `start_date`, ...).
    pub name: &'static str,
    /// What it holds.
    pub ty: ParamType,
    /// Whether a call must give it (optional ones may be absent or null).
    pub required: bool,
    /// Where it goes.
    pub location: Location,
}

impl Param {
    pub(crate) const fn new(
        name: &'static str,
        ty: ParamType,
        required: bool,
        location: Location,
    ) -> Param {
        Param {
            name,
            ty,
            required,
            location,
        }
    }

    /// `{"name", "type", "required", "location"}`.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "type": self.ty.as_str(),
            "required": self.required,
            "location": self.location.as_str(),
        })
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = if self.required { "" } else { "?" };
        write!(
            f,
            "{}{opt}: {} ({})",
            self.name,
            self.ty.as_str(),
            self.location.as_str()
        )
    }
}
