//! Closed string sets that keep an unknown value instead of failing.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value the spec does not list, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The canonical spelling (the spec's), or the unknown value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(s) => s,
                }
            }

            /// The canonical spelling of a wire value the spec lists (case
            /// and surrounding whitespace ignored), or `None` for any other
            /// value (which [`Self::from_wire`] keeps verbatim).
            #[allow(dead_code)]
            pub(crate) fn canonical(s: &str) -> Option<&'static str> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($wire) { return Some($wire); })*
                None
            }

            /// Reads a wire value; case and surrounding whitespace ignored.
            pub fn from_wire(s: &str) -> $name {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($wire) { return $name::$variant; })*
                $name::Other(s.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// An open set in TypeScript: the spec's values, or any other
        /// string (kept verbatim).
        #[cfg(feature = "tsify")]
        impl tsify::Tsify for $name {
            type JsType = wasm_bindgen::JsValue;
            const DECL: &'static str = concat!(
                "export type ", stringify!($name), " = ",
                $("\"", $wire, "\" | ",)*
                "(string & {});"
            );
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                crate::schema::wire::de::text(d).map(|s| $name::from_wire(&s))
            }
        }
    };
}

open_enum! {
    /// The `type` of a pending transaction: `deposit` or `withdraw`.
    TransactionType {
        /// `deposit`.
        Deposit => "deposit",
        /// `withdraw`.
        Withdraw => "withdraw",
    }
}

open_enum! {
    /// The `status` of a history entry: `ACCEPT` or `REJECT`.
    HistoryStatus {
        /// `ACCEPT`.
        Accept => "ACCEPT",
        /// `REJECT`.
        Reject => "REJECT",
    }
}

open_enum! {
    /// The `status` of a PGA invoice: `Accepted`, `Unpaid` or `Expired`.
    PgaStatus {
        /// `Accepted` (paid).
        Accepted => "Accepted",
        /// `Unpaid`.
        Unpaid => "Unpaid",
        /// `Expired`.
        Expired => "Expired",
    }
}

open_enum! {
    /// Who processed a PGA invoice (`by`): `PGA` or `OPERATOR`.
    PgaProcessor {
        /// `PGA`.
        Pga => "PGA",
        /// `OPERATOR`.
        Operator => "OPERATOR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_are_kept() {
        assert_eq!(PgaStatus::from_wire("accepted"), PgaStatus::Accepted);
        assert_eq!(
            PgaStatus::from_wire("Refunded"),
            PgaStatus::Other("Refunded".into())
        );
        assert_eq!(PgaStatus::from_wire("Refunded").as_str(), "Refunded");
        assert_eq!(HistoryStatus::from_wire(" reject ").as_str(), "REJECT");
    }
}
