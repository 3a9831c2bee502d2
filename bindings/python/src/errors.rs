//! The one place core errors become Python exceptions.
//!
//! The exception classes are plain Python (`idn_toto/_errors.py`, so type
//! checkers see their attributes); this maps each core variant to its class.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::json::value_to_py;

static CLASSES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a core error. The core already scrubbed the
/// token from every text the error carries.
pub(crate) fn to_py_err(py: Python<'_>, error: idn_toto::Error) -> PyErr {
    match build(py, &error) {
        Ok(exception) => PyErr::from_value(exception),
        Err(e) => e,
    }
}

/// `to_py_err` where no `Python` token is at hand: pyo3 calls every
/// method with the interpreter attached, so attaching again only counts.
pub(crate) fn core_err(error: idn_toto::Error) -> PyErr {
    Python::attach(|py| to_py_err(py, error))
}

fn class_name(error: &idn_toto::Error) -> &'static str {
    use idn_toto::Error;
    match error {
        Error::InvalidRequest { .. } => "InvalidRequestError",
        Error::Api { .. } => "ApiError",
        Error::Http { .. } => "HttpError",
        Error::Decode { .. } => "DecodeError",
        Error::Transport { .. } => "TransportError",
        Error::OutcomeUnknown { .. } => "OutcomeUnknownError",
        Error::KeyInUse { .. } => "KeyInUseError",
        Error::KeyConflict { .. } => "KeyConflictError",
        // `Error` is `#[non_exhaustive]`: a kind added to the core later
        // still arrives as the base class, with its kind and details.
        _ => "IdnTotoError",
    }
}

fn build<'py>(py: Python<'py>, error: &idn_toto::Error) -> PyResult<Bound<'py, PyAny>> {
    let module = CLASSES.get_or_try_init(py, || {
        py.import("idn_toto._errors").map(|m| m.into_any().unbind())
    })?;
    let class = module.bind(py).getattr(class_name(error))?;
    let class = class.cast_into::<PyType>()?;
    let json = error.to_json();
    let details = value_to_py(py, &json["error"])?;
    let cause = match error {
        idn_toto::Error::OutcomeUnknown { cause, .. } => Some(build(py, cause)?),
        _ => None,
    };
    class.call1((error.to_string(), details, cause))
}
