//! The loop a Rust host writes around the sans-IO core: send the request
//! descriptor with a real HTTP client (ureq), hand the answer back, and let
//! the core decide what it means and whether to try again.

use std::time::Duration;

use idn_toto::{
    Batch, BatchItem, Client, Endpoint, Error, ItemOutcome, Request, RetryPolicy, TxType,
};

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
    pub(crate) fn send(&self, request: &Request) -> Result<(u16, Vec<u8>), String> {
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
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        Ok((status, body))
    }

    /// Sends one endpoint call, retrying reads as the core's policy says.
    /// Money-moving calls are sent exactly once.
    pub(crate) fn call<E: Endpoint>(
        &self,
        client: &Client,
        params: &E,
        policy: RetryPolicy,
    ) -> Result<E::Response, Error> {
        let request = client.request(params);
        let mut attempt = 0;
        loop {
            let result = match self.send(&request) {
                Ok((status, body)) => client.parse::<E>(status, &body),
                Err(reason) => Err(client.transport_failure(&request, &reason)),
            };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            match policy.decide(&request, attempt, &error) {
                Some(delay_ms) => {
                    std::thread::sleep(Duration::from_millis(delay_ms));
                    attempt += 1;
                }
                None => return Err(error),
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
                Ok((status, body)) => batch.record_response(client, status, &body),
                Err(reason) => batch.record_transport_failure(client, &reason),
            }
        }
        Ok(batch.finish())
    }
}
