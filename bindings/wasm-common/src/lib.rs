//! What the npm package's two WebAssembly modules (`bindings/wasm`, every
//! call's driver, and `bindings/wasm-matcher`, the deposit matcher) share,
//! so each converts the same way: a core error thrown to JavaScript as
//! [`CoreError`] (each module's JavaScript glue gets the class; the
//! package's `js/index.cjs` turns either into an `IdnTotoError`), a value
//! as a plain JavaScript value, and a JSON argument read or refused naming
//! its field.

use idn_toto::Error;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// `value` as a plain JavaScript value (objects, arrays, strings, numbers).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    // Serializing a `Value` or a plain struct of strings and numbers does
    // not fail.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// The inner object of the core's canonical error JSON (`kind`, `message`,
/// ...; never the token).
pub fn error_detail(e: &Error) -> Value {
    match e.to_json() {
        Value::Object(mut m) => m.remove("error").unwrap_or(Value::Null),
        other => other,
    }
}

/// A core error, thrown to JavaScript as this class: `detail` is the core's
/// canonical error object, which `js/errors.cjs` turns into an
/// `IdnTotoError`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct CoreError {
    detail: Value,
}

#[wasm_bindgen]
impl CoreError {
    /// The canonical error object.
    #[wasm_bindgen(getter)]
    pub fn detail(&self) -> JsValue {
        to_js(&self.detail)
    }
}

/// A core error as thrown to JavaScript.
pub fn throw(e: &Error) -> JsValue {
    CoreError {
        detail: error_detail(e),
    }
    .into()
}

/// A JSON argument, or an `invalid_request` at `field` thrown as a
/// [`CoreError`].
pub fn json_arg(field: &str, text: &str) -> Result<Value, JsValue> {
    serde_json::from_str(text).map_err(|e| {
        throw(&Error::InvalidRequest {
            field: field.to_owned(),
            reason: format!("not valid JSON: {e}"),
        })
    })
}
