//! The typed API and the dynamic (JSON) API are two doors to one core: for
//! every vector, both give the same canonical JSON and the same errors, and
//! no `Debug`/`Display` shows the token.
#![allow(clippy::unwrap_used)]

use idn_toto::{dynamic, AnyEndpoint, Client, EndpointId, UserBalanceParams, Visitor, ENDPOINTS};
use serde_json::Value;

const TOKEN: &str = "API-T0KEN%+&";

/// The typed door, reached through the endpoint's own parameter type.
fn typed(client: &Client, id: EndpointId, status: u16, body: &[u8]) -> Result<Value, Value> {
    struct Typed<'a>(&'a Client, u16, &'a [u8]);
    impl Visitor for Typed<'_> {
        type Output = Result<Value, Value>;
        fn visit<E: AnyEndpoint>(self) -> Self::Output {
            self.0
                .parse::<E>(self.1, self.2)
                .map(|r| serde_json::to_value(r).unwrap())
                .map_err(|e| e.to_json())
        }
    }
    id.visit(Typed(client, status, body))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn typed_and_dynamic_parsing_agree_on_every_vector() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let client = Client::new("https://agent.example.com/home.php", TOKEN).unwrap();
    let mut checked = 0;
    for info in &ENDPOINTS {
        let text = std::fs::read_to_string(dir.join(format!("{}.json", info.id))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        for case in doc["responses"].as_array().unwrap() {
            let status = case
                .get("status")
                .and_then(Value::as_u64)
                .map_or(200, |s| u16::try_from(s).unwrap());
            let body = match case.get("body_hex") {
                Some(h) => hex(h.as_str().unwrap()),
                None => case["body"].as_str().unwrap().as_bytes().to_vec(),
            };
            let dynamic =
                dynamic::parse_with(&client, info.id, status, &body).map_err(|e| e.to_json());
            assert_eq!(
                typed(&client, info.id, status, &body),
                dynamic,
                "{} / {}",
                info.id,
                case["name"]
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} response vectors");
}

#[test]
fn nothing_shows_the_token() {
    let client = Client::new("https://agent.example.com/home.php", TOKEN).unwrap();
    let shown = |s: String| {
        assert!(
            !s.contains(TOKEN) && !s.contains("API-T0KEN%25%2B%26"),
            "{s}"
        );
    };
    shown(format!("{client:?}"));
    let params = serde_json::json!({"user": "LOREM"});
    let request = dynamic::build(&client, EndpointId::UserBalance, &params).unwrap();
    shown(format!("{request:?} {request} {}", request.to_json(false)));
    assert!(request.url().contains("API-T0KEN%25%2B%26"));
    let echo = format!("{{\"success\":false,\"message\":\"bad {TOKEN}\"}}");
    let err = client
        .parse::<UserBalanceParams>(200, echo.as_bytes())
        .unwrap_err();
    shown(format!("{err:?} {err} {}", err.to_json()));
    let err = client.transport_failure(&request, &format!("connect to {} failed", request.url()));
    shown(format!("{err:?} {err} {}", err.to_json()));
}
