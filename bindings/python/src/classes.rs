//! What the result classes are made of: `result_class!` (one frozen Python
//! class per core response or row type; the classes themselves are generated
//! into `results.rs` from the endpoints' declared shapes), the row cache, and
//! the one class written by hand, `Processed`. Each class wraps the core value
//! unchanged; getters convert one field at a time, so parsing a page creates a
//! single Python object.

use idn_toto as core;
use pyo3::prelude::*;

/// Declares `#[pyclass] struct $py(core::X)` with one getter per field,
/// `__eq__`, a short `__repr__` and `to_dict()` (the canonical JSON shape).
macro_rules! result_class {
    (
        $(#[$meta:meta])*
        $name:literal => $py:ident($core:ty) {
            $( $(#[$fmeta:meta])* $field:ident -> $ret:ty = |$v:ident| $conv:expr; )*
            $( @rows $(#[$rmeta:meta])* data: $row:ident; )?
        }
    ) => {
        $(#[$meta])*
        #[pyclass(name = $name, module = "idn_toto._native", frozen, eq)]
        #[derive(Debug, Clone, PartialEq)]
        pub(crate) struct $py(pub(crate) $core, $( pub(crate) $crate::classes::RowCache<$row> )?);

        impl $py {
            pub(crate) fn new(value: $core) -> Self {
                Self(value, $( $crate::classes::RowCache::<$row>::default() )?)
            }
        }

        #[pymethods]
        impl $py {
            $(
                $(#[$fmeta])*
                #[getter]
                fn $field(&self) -> $ret {
                    let $v = &self.0;
                    $conv
                }
            )*

            $(
                $(#[$rmeta])*
                ///
                /// (The row objects are made on the first read and shared by
                /// later ones; each read returns a new list.)
                #[getter]
                fn data(&self, py: Python<'_>) -> PyResult<Vec<Py<$row>>> {
                    self.1.rows(py, &self.0.data, $row::new)
                }
            )?

            /// The canonical JSON shape (the same as `idn_toto.parse`):
            /// amounts and dates as strings.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<$crate::convert::JsonDict<'py>> {
                $crate::convert::JsonDict::of(py, &self.0)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let _ = py; // unused when the class has only `@rows`
                let mut parts: Vec<String> = Vec::new();
                $(
                    let value = pyo3::IntoPyObjectExt::into_bound_py_any(self.$field(), py)?;
                    let shown = match value.cast::<pyo3::types::PyList>() {
                        Ok(list) => format!("[{} items]", list.len()),
                        Err(_) => value.repr()?.to_string(),
                    };
                    parts.push(format!("{}={}", stringify!($field).trim_start_matches("r#"), shown));
                )*
                $(
                    let _: Option<&$row> = None;
                    parts.push(format!("data=[{} items]", self.0.data.len()));
                )?
                Ok(format!("{}({})", $name, parts.join(", ")))
            }
        }
    };
}

pub(crate) use result_class;

/// The Python objects for a result's rows, made once: reading `.data` again
/// (in a loop, say) returns the same row objects in a new list instead of
/// copying every row again.
pub(crate) struct RowCache<W>(pyo3::sync::PyOnceLock<Vec<Py<W>>>);

impl<W> Default for RowCache<W> {
    fn default() -> Self {
        RowCache(pyo3::sync::PyOnceLock::new())
    }
}

impl<W> Clone for RowCache<W> {
    fn clone(&self) -> Self {
        RowCache::default()
    }
}

impl<W> PartialEq for RowCache<W> {
    /// A cache never makes two results differ.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<W> std::fmt::Debug for RowCache<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RowCache")
    }
}

impl<
        W: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True>
            + Into<pyo3::PyClassInitializer<W>>,
    > RowCache<W>
{
    pub(crate) fn rows<T: Clone>(
        &self,
        py: Python<'_>,
        items: &[T],
        wrap: fn(T) -> W,
    ) -> PyResult<Vec<Py<W>>> {
        let made = self.0.get_or_try_init(py, || {
            items
                .iter()
                .cloned()
                .map(|item| Py::new(py, wrap(item)))
                .collect()
        })?;
        Ok(made.iter().map(|row| row.clone_ref(py)).collect())
    }
}

/// A confirmed `accept_reject` or `manual_transaction`.
#[pyclass(name = "Processed", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyProcessed {
    processed: core::Processed,
    journal_unwritten: bool,
}

impl PyProcessed {
    pub(crate) fn new(value: core::Processed) -> Self {
        PyProcessed::journaled(value, false)
    }

    /// A result whose journal outcome line could not be written
    /// (`journal_unwritten`).
    pub(crate) fn journaled(value: core::Processed, journal_unwritten: bool) -> Self {
        PyProcessed {
            processed: value,
            journal_unwritten,
        }
    }
}

#[pymethods]
impl PyProcessed {
    #[getter]
    fn message(&self) -> &str {
        &self.processed.message
    }

    /// `True` when the client journals and the journal's line for this
    /// move's outcome could not be written (a `JournalWarning` said why):
    /// the move stays open in the journal and settles later. The result
    /// itself is the server's answer.
    #[getter]
    fn journal_unwritten(&self) -> bool {
        self.journal_unwritten
    }

    /// `True` when nothing was sent: the call's operation key was done
    /// before, and this is the recorded answer of that attempt (a replay).
    #[getter]
    fn replayed(&self) -> bool {
        self.processed.replayed
    }

    /// The canonical JSON shape (the same as `idn_toto.parse`):
    /// amounts and dates as strings.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<crate::convert::JsonDict<'py>> {
        crate::convert::JsonDict::of(py, &self.processed)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let message = pyo3::types::PyString::new(py, &self.processed.message).repr()?;
        let replayed = if self.processed.replayed {
            ", replayed=True"
        } else {
            ""
        };
        let unwritten = if self.journal_unwritten {
            ", journal_unwritten=True"
        } else {
            ""
        };
        Ok(format!("Processed(message={message}{replayed}{unwritten})"))
    }
}
