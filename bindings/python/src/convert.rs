//! Conversions between Python values and the core's canonical JSON
//! (`serde_json::Value`). Nothing here decides anything: the core validates.

use pyo3::inspect::PyStaticExpr;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use pyo3::{type_hint_identifier, type_hint_subscript};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::errors::to_py_err;
use crate::json::value_to_py;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static MAPPING: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Canonical JSON text as plain Python objects. CPython's `json.loads` builds
/// them faster than one FFI call per value would.
pub(crate) fn json_text_to_py<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let loads = JSON_LOADS.get_or_try_init(py, || {
        py.import("json")?.getattr("loads").map(Bound::unbind)
    })?;
    loads.bind(py).call1((text,))
}

/// Any core value in its canonical JSON shape, as Python objects.
pub(crate) fn serialize_to_py<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_string(value).map_err(|e| {
        to_py_err(
            py,
            idn_toto::Error::Decode {
                path: "$".into(),
                reason: e.to_string(),
            },
        )
    })?;
    Ok(json_text_to_py(py, &json)?.unbind())
}

/// Python arguments to canonical JSON parameters. `Decimal` becomes its
/// plain decimal text, `datetime.date` its `YYYY-MM-DD` text; floats are
/// refused (money is never a float). `field` names the value in errors.
pub(crate) fn py_to_value(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        // Too big for a JSON number here: the core reads its digits.
        return Ok(Value::String(obj.str()?.to_cow()?.into_owned()));
    }
    if obj.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        let plain = obj.call_method1("__format__", ("f",))?;
        return Ok(Value::String(plain.extract::<String>()?));
    }
    if obj.is_instance(DATETIME.import(py, "datetime", "datetime")?)? {
        return Err(invalid(
            py,
            field,
            "must be a date (datetime.date or \"YYYY-MM-DD\"), got a datetime",
        ));
    }
    if obj.is_instance(DATE.import(py, "datetime", "date")?)? {
        let text = obj.call_method0("isoformat")?;
        return Ok(Value::String(text.extract::<String>()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Err(invalid(
            py,
            field,
            "must not be a float (use decimal.Decimal, int or a decimal string)",
        ));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return obj
            .try_iter()?
            .enumerate()
            .map(|(i, item)| py_to_value(&item?, &format!("{field}[{i}]")))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if obj.is_instance(MAPPING.import(py, "collections.abc", "Mapping")?)? {
        let mut map = Map::new();
        for item in obj.call_method0("items")?.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let Ok(key) = k.cast::<PyString>() else {
                return Err(invalid(py, field, "must have string keys"));
            };
            let key = key.to_cow()?.into_owned();
            let path = if field.is_empty() {
                key.clone()
            } else {
                format!("{field}.{key}")
            };
            map.insert(key, py_to_value(&v, &path)?);
        }
        return Ok(Value::Object(map));
    }
    let type_name = obj.get_type().name()?;
    Err(invalid(
        py,
        field,
        &format!("has an unsupported type {type_name}"),
    ))
}

fn invalid(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    let field = if field.is_empty() { "params" } else { field };
    to_py_err(
        py,
        idn_toto::Error::InvalidRequest {
            field: field.to_owned(),
            reason: reason.to_owned(),
        },
    )
}

/// Declares a function argument read as canonical JSON, with the type hint
/// the generated stub shows. Any Python value is accepted at run time: the
/// core reports what is wrong with it (`InvalidRequestError`).
macro_rules! json_arg {
    ($(#[$meta:meta])* $name:ident, $field:literal, $hint:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub(crate) struct $name(pub(crate) Value);

        impl<'a, 'py> FromPyObject<'a, 'py> for $name {
            type Error = PyErr;

            const INPUT_TYPE: PyStaticExpr = $hint;

            fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                py_to_value(&obj.to_owned(), $field).map($name)
            }
        }
    };
}

const STR: PyStaticExpr = type_hint_identifier!("builtins", "str");
const OBJECT: PyStaticExpr = type_hint_identifier!("builtins", "object");
const ANY: PyStaticExpr = type_hint_identifier!("typing", "Any");
const MAPPING_STR_OBJECT: PyStaticExpr = type_hint_subscript!(
    type_hint_identifier!("collections.abc", "Mapping"),
    STR,
    OBJECT
);
const DICT_STR_ANY: PyStaticExpr =
    type_hint_subscript!(type_hint_identifier!("builtins", "dict"), STR, ANY);

json_arg!(
    /// Endpoint parameters: `Mapping[str, object]`.
    Params,
    "",
    MAPPING_STR_OBJECT
);
json_arg!(
    /// Path word overrides: `Mapping[str, str]`.
    PathWordsArg,
    "path_words",
    type_hint_subscript!(type_hint_identifier!("collections.abc", "Mapping"), STR, STR)
);
json_arg!(
    /// A canonical response page: `Mapping[str, object]`.
    Page,
    "response",
    MAPPING_STR_OBJECT
);

json_arg!(
    /// The pending deposits for the matcher: the canonical
    /// `transaction_list` answer or its rows (`object`).
    PendingArg,
    "pending",
    OBJECT
);
json_arg!(
    /// Bank credits for the matcher: `Sequence[Mapping[str, object]]`.
    CreditsArg,
    "credits",
    type_hint_subscript!(
        type_hint_identifier!("collections.abc", "Sequence"),
        MAPPING_STR_OBJECT
    )
);
json_arg!(
    /// The matcher's rules: `Mapping[str, object]`.
    RulesArg,
    "rules",
    MAPPING_STR_OBJECT
);
json_arg!(
    /// A matcher's plan (its canonical JSON): `Mapping[str, object]`.
    PlanArg,
    "plan",
    MAPPING_STR_OBJECT
);

/// A canonical JSON object handed to Python: `dict[str, Any]`.
#[derive(Debug)]
pub(crate) struct JsonDict<'py>(pub(crate) Bound<'py, PyDict>);

impl<'py> JsonDict<'py> {
    pub(crate) fn new(py: Python<'py>, value: &Value) -> PyResult<JsonDict<'py>> {
        Ok(JsonDict(value_to_py(py, value)?.cast_into::<PyDict>()?))
    }

    /// From canonical JSON text (the fast path for whole responses).
    pub(crate) fn from_text(py: Python<'py>, text: &str) -> PyResult<JsonDict<'py>> {
        Ok(JsonDict(json_text_to_py(py, text)?.cast_into::<PyDict>()?))
    }

    /// `value`'s canonical JSON, or `None`.
    pub(crate) fn of_option<T: Serialize>(
        py: Python<'py>,
        value: Option<&T>,
    ) -> PyResult<Option<JsonDict<'py>>> {
        value.map(|v| JsonDict::of(py, v)).transpose()
    }

    pub(crate) fn of<T: Serialize>(py: Python<'py>, value: &T) -> PyResult<JsonDict<'py>> {
        Ok(JsonDict(
            serialize_to_py(py, value)?
                .into_bound(py)
                .cast_into::<PyDict>()?,
        ))
    }
}

impl<'py> IntoPyObject<'py> for JsonDict<'py> {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = std::convert::Infallible;

    const OUTPUT_TYPE: PyStaticExpr = DICT_STR_ANY;

    fn into_pyobject(self, _py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(self.0)
    }
}
