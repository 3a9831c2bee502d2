//! When a host may send a request again. The decision is made here, once,
//! for every binding.

use crate::schema::error::Error;
use crate::schema::request::Request;

/// Retry policy for requests that are safe to repeat (reads). Requests that
/// move money are never retried, whatever the policy says.
///
/// The delay doubles from `base_delay_ms` up to `max_delay_ms`. There is no
/// jitter: the core has no randomness; a host may add its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a failed read may be sent again (0: never).
    pub retries: u32,
    /// The first delay.
    pub base_delay_ms: u64,
    /// The longest delay.
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    /// Two retries, 200 ms then 400 ms.
    fn default() -> RetryPolicy {
        RetryPolicy {
            retries: 2,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NEVER: RetryPolicy = RetryPolicy {
        retries: 0,
        base_delay_ms: 0,
        max_delay_ms: 0,
    };

    /// After `attempt` (0 for the first send) failed with `error`: the delay
    /// in milliseconds before sending `request` again, or `None` to give up.
    ///
    /// Retried: transport failures (network errors, timeouts), HTTP 5xx and
    /// 429, and only for idempotent requests. Never retried: money-moving
    /// requests, API refusals, other HTTP statuses, undecodable bodies,
    /// invalid requests.
    pub fn decide(&self, request: &Request, attempt: u32, error: &Error) -> Option<u64> {
        self.decide_after(request, attempt, error, None)
    }

    /// [`RetryPolicy::decide`], with the server's `Retry-After` (in
    /// milliseconds, see [`crate::retry_after_ms`]): a read answered 429 or
    /// 503 with one waits that long, capped at `max_delay_ms`.
    pub fn decide_after(
        &self,
        request: &Request,
        attempt: u32,
        error: &Error,
        retry_after_ms: Option<u64>,
    ) -> Option<u64> {
        if !request.is_idempotent() || attempt >= self.retries {
            return None;
        }
        let retryable = match error {
            Error::Transport { .. } => true,
            Error::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        };
        if !retryable {
            return None;
        }
        if let (
            Some(wait),
            Error::Http {
                status: 429 | 503, ..
            },
        ) = (retry_after_ms, error)
        {
            return Some(wait.min(self.max_delay_ms));
        }
        let factor = 1u64.checked_shl(attempt).unwrap_or(u64::MAX);
        Some(
            self.base_delay_ms
                .saturating_mul(factor)
                .min(self.max_delay_ms),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::client::Client;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::accept_reject::AcceptRejectParams;
    use crate::schema::endpoints::game_list::GameListParams;
    use serde_json::json;

    #[test]
    fn reads_back_off_and_money_never_retries() {
        let c = Client::new("https://a.example", "T").unwrap();
        let read = GameListParams.request(&c);
        let money = c.request(
            &AcceptRejectParams::from_json(&json!({"type":"deposit","trans_id":"1","user":"u","action":"accept","comment":"c","operator":"o"})).unwrap(),
        );
        let p = RetryPolicy::default();
        let t = Error::Transport {
            reason: "timeout".into(),
        };
        assert_eq!(p.decide(&read, 0, &t), Some(200));
        assert_eq!(p.decide(&read, 1, &t), Some(400));
        assert_eq!(p.decide(&read, 2, &t), None);
        assert_eq!(p.decide(&money, 0, &t), None);
        let s500 = Error::Http {
            status: 500,
            excerpt: String::new(),
        };
        assert_eq!(p.decide(&read, 0, &s500), Some(200));
        let s404 = Error::Http {
            status: 404,
            excerpt: String::new(),
        };
        assert_eq!(p.decide(&read, 0, &s404), None);
        let api = Error::api("User not found".into());
        assert_eq!(p.decide(&read, 0, &api), None);
        assert_eq!(RetryPolicy::NEVER.decide(&read, 0, &t), None);
        let big = RetryPolicy {
            retries: 100,
            base_delay_ms: 1000,
            max_delay_ms: 8000,
        };
        assert_eq!(big.decide(&read, 70, &t), Some(8000));
    }
}
