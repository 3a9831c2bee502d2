//! `full_transaction`: Get Full Transaction (Transaksi Lengkap: turnover and
//! win/lose per period), paged.

use chrono::NaiveDate;
use serde::Serialize;

use crate::schema::declare::{endpoint, envelope, row};
use crate::schema::params::{Page, Segment};
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/full_transaction/USER/PAGE[?date=YYYY-MM-DD]`
    /// (the word is configurable: the spec's template spells it
    /// `full_transction`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FullTransactionParams {
        /// User id in game.
        pub user: Segment = "user" in Path,
        /// Page number (from 1).
        pub page: Page = "page" in Path,
        /// The day; the server shows today's data without it.
        pub date: Option<NaiveDate> = "date" in Query,
    }
    impl Endpoint {
        id: FullTransaction,
        function: "Get Full Transaction",
        method: Get,
        path: "/{token}/full_transaction/{user}/{page}[?date={date}]",
        words: { "full_transaction" => full_transaction },
        money: none,
        response: FullTransaction,
        wire: FullTransactionWire,
        holds: [TurnoverRow],
        transcode: page(PAGE_FIELDS),
        next_page: by_total => TurnoverRow,
    }
}

/// One page of the full-transaction report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct FullTransaction {
    /// Message information.
    pub message: String,
    /// Total rows on all pages (`"3 Rows"` on the wire).
    pub total_data: u64,
    /// Total pages (`"1 Page(s)"` on the wire).
    pub total_page: u64,
    /// This page's rows.
    pub data: Vec<TurnoverRow>,
}

row! {
    /// One period's turnover and win/lose for a user.
    pub struct TurnoverRow in ROW_FIELDS {
        /// User id in game.
        user: Text,
        /// Transaction date.
        date: Date,
        /// Game period.
        periode: Text = default,
        /// Game code.
        gamecode: Text = default,
        /// Market name.
        pasar: Text = default,
        /// Total turnover, exact.
        turnover: Amount,
        /// Total win/lose, exact (negative: the player lost).
        winlose: Amount,
    }
}

/// [`FullTransaction`]'s wire fields in its serialisation order (the
/// envelope's `success` read, not written), for the one-pass transcoder
/// (`wire::page`); the property tests check that the transcoder's text is
/// the typed path's.
const PAGE_FIELDS: &[wire::Field] = &[
    wire::field!("success", Success, true),
    wire::field!("message", Text, true),
    wire::field!("total_data", Count, true),
    wire::field!("total_page", Count, true),
    wire::field!("data", Rows(ROW_FIELDS), true),
];


envelope! {
    struct FullTransactionWire -> FullTransaction {
        #[serde(default, deserialize_with = "wire::count")]
        total_data: u64,
        #[serde(default, deserialize_with = "wire::count")]
        total_page: u64,
        #[serde(default, deserialize_with = "wire::rows")]
        data: Vec<TurnoverRow>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::test_support::client;
    use crate::schema::paging::Paged;
    use serde_json::json;

    wire::gen::transcoder_properties!(FullTransactionParams, super::PAGE_FIELDS);

    #[test]
    fn transcoder_reads_the_common_page_and_leaves_the_rest() {
        let row = r#"{"user":"BUDI7078","date":"2024-08-13","periode":"107600","gamecode":"4d","pasar":"Hongkong","turnover":"306000.00","winlose":"-88165.00"}"#;
        let body = format!(
            r#"{{"success":true,"message":"Success","total_data":"2 Rows","total_page":"1 Page(s)","data":[{row},{row}]}}"#
        );
        assert!(agrees(body.as_bytes()).unwrap());
        assert_eq!(
            transcode(200, body.as_bytes()).unwrap(),
            format!(
                r#"{{"message":"Success","total_data":2,"total_page":1,"data":[{row},{row}]}}"#
            )
        );
        assert_eq!(
            transcode(200, b"{}").as_deref(),
            Some(r#"{"message":"","total_data":0,"total_page":0,"data":[]}"#)
        );
        for left in [
            format!(r#"{{"success":false,"message":"Invalid User!","data":[{row}]}}"#),
            format!(r#"{{"success":true,"data":[{row}],"extra":1}}"#),
            format!(r#"{{"success":true,"data":[{row}],"data":[]}}"#),
            format!(r#"{{"success":true,"total_data":-1,"data":[{row}]}}"#),
            format!(r#"[{row}]"#),
            r#"{"data":[{"user":"U","date":"2024-02-30","turnover":"1","winlose":"1"}]}"#
                .to_owned(),
        ] {
            assert_eq!(transcode(200, left.as_bytes()), None, "{left}");
        }
        assert_eq!(transcode(404, body.as_bytes()), None);
    }

    #[test]
    fn builds_with_date_and_pages_on() {
        let p = FullTransactionParams::from_json(
            &json!({"user": "LOREMS", "page": 1, "date": "2024-05-17"}),
        )
        .unwrap();
        assert_eq!(
            client().request(&p).redacted_url(),
            "http://example.com/home.php/***/full_transaction/LOREMS/1?date=2024-05-17"
        );
        let body = br#"{"success":true,"message":"Success","total_data":"3 Rows","total_page":"2 Page(s)","message":"Success","data":[{"user":"LOREMS","date":"2023-05-17","periode":"1","gamecode":"p9b","pasar":"x","turnover":"12000.00","winlose":"-2000.00"}]}"#;
        let page = FullTransactionParams::parse(200, body).unwrap();
        assert_eq!((page.total_data, page.total_page), (3, 2));
        assert_eq!(page.data[0].winlose.to_string(), "-2000.00");
        let next = Paged::next_page(&p, &page).unwrap().unwrap();
        assert_eq!(next.page.get(), 2);
        assert_eq!(Paged::next_page(&next, &page).unwrap(), None);
        // The same rule over canonical JSON (the dynamic API's).
        let json_page = serde_json::to_value(&page).unwrap();
        let params = json!({"user": "LOREMS", "date": "2024-05-17", "page": 1});
        let next_json = (<FullTransactionParams as Endpoint>::NEXT_PAGE.unwrap())(&params, &json_page)
            .unwrap()
            .unwrap();
        assert_eq!(next_json["page"], 2);
        assert_eq!(FullTransactionParams::from_json(&next_json).unwrap(), next);
    }
}
