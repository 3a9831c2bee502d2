//! The smallest loop a host writes around the sans-IO core: send the
//! request descriptor with a real HTTP client (ureq), hand the answer back,
//! and let the core decide what it means and whether to try again. The
//! end-to-end tests use it to check the core alone; applications use the
//! ready-made clients of `idn-toto-client`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use idn_toto::{
    AnyEndpoint, Batch, BatchItem, Call, Client, Clock, Error, ItemOutcome, Next, Request,
    RetryPolicy, Settle, SettleStep, Settlement, TxType,
};

/// One HTTP answer.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// A blocking HTTP transport.
pub(crate) struct Transport {
    agent: ureq::Agent,
    extra: Vec<(String, String)>,
}

impl Transport {
    /// A transport whose every request gives up after `timeout`.
    pub(crate) fn new(timeout: Duration) -> Transport {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build();
        Transport {
            agent: config.into(),
            extra: Vec::new(),
        }
    }

    /// The same transport, adding one header to every request (the tests
    /// use it to ask the sandbox for a fault).
    #[allow(dead_code)]
    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Transport {
        self.extra.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends `request`; `Err` is a transport failure (network, timeout).
    /// The answer's headers come back as (name, value) pairs.
    pub(crate) fn send(&self, request: &Request) -> Result<Answer, String> {
        let response = match request.body() {
            Some(body) => {
                let mut r = self.agent.post(request.url());
                for (k, v) in request.headers() {
                    r = r.header(*k, *v);
                }
                for (k, v) in &self.extra {
                    r = r.header(k, v);
                }
                r.send(body)
            }
            None => {
                let mut r = self.agent.get(request.url());
                for (k, v) in request.headers() {
                    r = r.header(*k, *v);
                }
                for (k, v) in &self.extra {
                    r = r.header(k, v);
                }
                r.call()
            }
        };
        let mut response = response.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Sends one endpoint call through the core's driver: it says whether
    /// and when to send again (reads only, `Retry-After` honoured); this
    /// loop only sends and sleeps. Money-moving calls are sent exactly once.
    pub(crate) fn call<E: AnyEndpoint>(
        &self,
        client: &Client,
        params: &E,
        policy: RetryPolicy,
    ) -> Result<E::Response, Error> {
        let mut call = Call::new(client, params, policy);
        loop {
            let started = std::time::Instant::now();
            let sent = self.send(call.request());
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_secs()).ok());
            let clock = Clock::new(elapsed_ms, now);
            let next = match sent {
                Ok(answer) => {
                    let headers: Vec<(&str, &str)> = answer
                        .headers
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    call.record_response(client, answer.status, &headers, &answer.body, clock)
                }
                Err(reason) => call.record_transport_failure(client, &reason, clock),
            };
            match next {
                Next::Retry { delay_ms, .. } => std::thread::sleep(Duration::from_millis(delay_ms)),
                Next::Done(result) => return result,
            }
        }
    }

    /// Sends any number of accept/reject or manual items, at most 25 per
    /// request, and returns one outcome per item, in order.
    pub(crate) fn batch(
        &self,
        client: &Client,
        r#type: TxType,
        items: Vec<BatchItem>,
    ) -> Result<Vec<ItemOutcome>, Error> {
        let mut batch = Batch::new(r#type, items)?;
        while let Some(request) = batch.next_request(client) {
            match self.send(&request) {
                Ok(answer) => batch.record_response(client, answer.status, &answer.body),
                Err(reason) => batch.record_transport_failure(client, &reason),
            }
        }
        Ok(batch.finish())
    }

    /// Finds out, with reads only, whether a money move whose outcome is
    /// unknown took effect: the core's `Settle` asks, this loop sends and
    /// waits.
    pub(crate) fn settle(&self, client: &Client, mut settle: Settle) -> Settlement {
        loop {
            match settle.next(client) {
                SettleStep::Wait(ms) => std::thread::sleep(Duration::from_millis(ms)),
                SettleStep::Send(request) => match self.send(&request) {
                    Ok(answer) => settle.record_response(client, answer.status, &answer.body),
                    Err(reason) => settle.record_transport_failure(client, &reason),
                },
                SettleStep::Done(settlement) => return settlement,
            }
        }
    }
}
