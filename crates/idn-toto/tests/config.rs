//! Property tests for configuration: no input panics, and an accepted base
//! URL is stable (its normalised form reads back to itself).
#![allow(clippy::unwrap_used)]

use idn_toto::Client;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_base_url_and_token_is_accepted_or_refused_never_a_panic(
        base in "(https?://)?[ -~\u{a0}-\u{17f}ÜÄ\\\\\\[\\]@:%]{0,40}",
        token in "[ -~é]{0,12}",
        insecure in any::<bool>(),
    ) {
        let built = Client::builder(&base, &token).allow_insecure_http(insecure).build();
        match built {
            Ok(client) => {
                let again = Client::builder(client.base_url(), &token)
                    .allow_insecure_http(insecure)
                    .build()
                    .unwrap();
                prop_assert_eq!(again.base_url(), client.base_url());
                prop_assert!(!client.base_url().contains('\\'));
            }
            Err(e) => {
                let field = e.field().unwrap();
                prop_assert!(field == "base_url" || field == "token", "{}", field);
                if token.len() > 3 {
                    prop_assert!(!e.to_string().contains(&token));
                }
            }
        }
    }
}
