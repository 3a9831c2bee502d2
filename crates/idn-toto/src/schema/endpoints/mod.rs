//! One module per endpoint: its parameters, response types, request
//! building, parsing and unit tests.

// One module per endpoint of the one list (`schema::id::for_each_endpoint`),
// each re-exported whole: a new endpoint's module and types come from its
// line in that list.
macro_rules! modules {
    ($($variant:ident => $id:literal, $module:ident :: $params:ident;)*) => {
        $(
            pub mod $module;
            pub use $module::*;
        )*
    };
}
crate::schema::id::for_each_endpoint!(modules);

/// A user's history entry (`user_history`, `user_last_transaction`, a
/// settlement's snapshot), defined in `schema/history_entry.rs` beside the
/// snapshot that holds it; this module keeps its public path.
pub mod history_entry {
    pub use crate::schema::history_entry::HistoryEntry;
}
pub use history_entry::HistoryEntry;

#[cfg(test)]
pub(crate) mod test_support {
    use crate::schema::client::Client;

    pub(crate) const TOKEN: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";

    pub(crate) fn client() -> Client {
        Client::builder("http://example.com/home.php", TOKEN)
            .allow_insecure_http(true)
            .build()
            .expect("valid test config")
    }
}
