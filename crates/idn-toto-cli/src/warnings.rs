//! The client's warnings on stderr. The client reports what an operator
//! must hear about (journal lines that could not be written: those moves
//! stay open in the journal and settle later) as `tracing` events at level
//! `warn` or `error`; this subscriber prints each as one line on stderr and
//! ignores everything else (spans, and the `debug`/`info` events of every
//! request).

use std::fmt::Write as _;

use tracing::field::{Field, Visit};
use tracing::{span, Event, Level, Metadata, Subscriber};

/// Installs the subscriber for the whole process.
pub(crate) fn to_stderr() {
    // Fails only when one is installed already, which nothing else does.
    let _ = tracing::subscriber::set_global_default(Stderr);
}

struct Stderr;

impl Subscriber for Stderr {
    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        meta.is_event() && matches!(*meta.level(), Level::WARN | Level::ERROR)
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        // Never called: no span is enabled. Ids must not be 0.
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        let message = line.message.trim_start_matches("idn_toto: ");
        eprintln!("idn-toto: warning: {message}{}", line.fields);
    }

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// An event's message, and its other fields as ` (name: value, ...)`.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
            return;
        }
        let open = if self.fields.is_empty() { " (" } else { ", " };
        self.fields.truncate(self.fields.len().saturating_sub(1));
        let _ = write!(self.fields, "{open}{}: {value:?})", field.name());
    }
}
