//! Sandbox-only inspection endpoints under `/__sandbox/` (not part of the API, no token).
use axum::http::Method;

use crate::api::{Reply, UNKNOWN_ENDPOINT, USER_NOT_FOUND};
use crate::routes::decode_segment;
use crate::state::State;
use crate::wire::{self, Obj};

/// The admin endpoints' mount point.
pub(crate) const PREFIX: &str = "/__sandbox";

/// What the admin endpoints need of the running sandbox (the server's
/// `App` provides it; this module needs nothing else of the server).
pub(crate) trait Admin {
    /// API requests seen (admin requests excluded).
    fn requests(&self) -> u64;
    /// Back to the seed.
    fn reset(&self);
    /// The state, locked for `f`.
    fn with_state(&self, f: &mut dyn FnMut(&State) -> Reply) -> Reply;
}

/// Answers `GET /__sandbox/stats`, `GET /__sandbox/state/USER`, `POST /__sandbox/reset`.
pub(crate) fn handle(app: &dyn Admin, method: &Method, path: &str) -> Reply {
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    match (method.as_str(), rest) {
        ("GET", "/stats") => Reply::ok(Obj::new().uint("requests", app.requests()).finish()),
        ("POST", "/reset") => {
            app.reset();
            Reply::ok(wire::status(true, "Sandbox state reset to the seed"))
        }
        ("GET", _) => match rest.strip_prefix("/state/").map(decode_segment) {
            Some(Ok(user)) => app.with_state(&mut |state| user_state(state, &user)),
            _ => not_found(UNKNOWN_ENDPOINT),
        },
        _ => not_found(UNKNOWN_ENDPOINT),
    }
}

fn not_found(message: &str) -> Reply {
    Reply {
        status: 404,
        body: wire::failure(message),
    }
}

fn user_state(state: &State, user: &str) -> Reply {
    let Some(index) = state.find_user(user) else {
        return not_found(USER_NOT_FOUND);
    };
    let pending = wire::array(
        state
            .pending
            .iter()
            .filter(|p| p.user == index)
            .map(|p| wire::string(&p.id)),
    );
    Reply::ok(
        Obj::new()
            .str("user", &state.users[index].user)
            .str("balance", &state.users[index].balance.fixed(2))
            .raw("pending", &pending)
            .finish(),
    )
}
