//! The smallest use of each library the SDK's `.wasm` is built on (issue 13's
//! size floor): one typed row read from JSON text and written back as JSON,
//! an error handed to JavaScript as an object, and (feature `web`) one URL
//! built with a percent-encoded segment and one HTTP date read. Every SDK
//! module holds at least this, plus its own code: 13 endpoints, the driver,
//! settling, batches, the journal, redaction and events.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// One row: with `typed`, an amount and a timestamp as the SDK reads them.
#[cfg(feature = "typed")]
#[derive(Deserialize, Serialize)]
struct Row {
    user: String,
    amount: rust_decimal::Decimal,
    at: chrono::NaiveDateTime,
}

/// One row, all text.
#[cfg(not(feature = "typed"))]
#[derive(Deserialize, Serialize)]
struct Row {
    user: String,
    amount: String,
    at: String,
}

#[derive(Debug, thiserror::Error, Serialize)]
enum Error {
    #[error("decode: {0}")]
    Decode(String),
    #[cfg(feature = "web")]
    #[error("url: {0}")]
    Url(String),
}

fn to_js(e: Error) -> JsValue {
    serde_wasm_bindgen::to_value(&e).unwrap_or(JsValue::NULL)
}

/// A list of rows from JSON text, written back as JSON text.
#[wasm_bindgen]
pub fn parse(body: &str) -> Result<String, JsValue> {
    let rows: Vec<Row> =
        serde_json::from_str(body).map_err(|e| to_js(Error::Decode(e.to_string())))?;
    serde_json::to_string(&rows).map_err(|e| to_js(Error::Decode(e.to_string())))
}

/// A URL under `base` with `user` as a percent-encoded segment, and the
/// seconds of an HTTP date.
#[cfg(feature = "web")]
#[wasm_bindgen]
pub fn build(base: &str, user: &str, date: &str) -> Result<String, JsValue> {
    let mut url = url::Url::parse(base).map_err(|e| to_js(Error::Url(e.to_string())))?;
    let segment =
        percent_encoding::utf8_percent_encode(user, percent_encoding::NON_ALPHANUMERIC).to_string();
    url.set_path(&format!("home.php/{segment}"));
    let when =
        httpdate::parse_http_date(date).map_err(|e| to_js(Error::Decode(e.to_string())))?;
    let seconds = when
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(format!("{url} {seconds}"))
}
