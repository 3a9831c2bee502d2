//! `pga_transaction`: Get PGA (payment gateway) Transaction History, paged.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::schema::error::Error;
use crate::schema::declare::{endpoint, row};
use crate::schema::params::{Page, PgaStatusFilter, Text};
use crate::schema::wire::{self, PgaProcessor, PgaStatus, Wire};

endpoint! {
    /// Parameters: `POST /TOKEN/pga` with a JSON body.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct PgaTransactionParams {
        /// First day (inclusive).
        pub start_date: NaiveDate = "start_date" in Body,
        /// Last day (inclusive); not before `start_date`.
        pub end_date: NaiveDate = "end_date" in Body,
        /// Page number (from 1).
        pub page: Page = "page" in Body,
        /// Only this user.
        pub user: Option<Text> = "user" in Body,
        /// Only this reference number.
        pub ref_no: Option<Text> = "ref_no" in Body,
        /// Only invoices in this status.
        pub status: Option<PgaStatusFilter> = "status" in Body,
    }
    impl Endpoint {
        id: PgaTransaction,
        function: "Get PGA Transaction History",
        method: Post,
        path: "/{token}/pga",
        money: none,
        response: PgaTransaction,
        wire: PgaWire,
        holds: [PgaInvoice, PgaStatus, PgaProcessor],
        transcode: page(PAGE_FIELDS),
        next_page: by_total_checked => PgaInvoice,
        check: PgaTransactionParams::check,
    }
}

impl PgaTransactionParams {
    /// Checks the date range and builds the parameters.
    pub fn new(
        start_date: NaiveDate,
        end_date: NaiveDate,
        page: Page,
    ) -> Result<PgaTransactionParams, Error> {
        PgaTransactionParams::check(PgaTransactionParams {
            start_date,
            end_date,
            page,
            user: None,
            ref_no: None,
            status: None,
        })
    }

    /// The range check: `end_date` not before `start_date`.
    fn check(p: PgaTransactionParams) -> Result<PgaTransactionParams, Error> {
        if p.start_date > p.end_date {
            return Err(Error::invalid(
                "end_date",
                format!(
                    "must not be before start_date ({} > {})",
                    p.start_date, p.end_date
                ),
            ));
        }
        Ok(p)
    }
}

/// One page of PGA invoices. The success body has no `success` field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct PgaTransaction {
    /// Rows on this page.
    pub row: u64,
    /// Rows on all pages.
    pub total_row: u64,
    /// This page's number.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
    /// Total pages.
    pub total_page: u64,
    /// Sum of this page's amounts, exact.
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub total_amount_page: Decimal,
    /// Sum of all pages' amounts, exact.
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub total_amount_all: Decimal,
    /// The invoices, ordered by key (`"1"`, `"2"`, ...).
    pub data: Vec<PgaInvoice>,
}

row! {
    /// One payment-gateway invoice.
    pub struct PgaInvoice in ROW_FIELDS {
        /// Invoice number.
        id_invoice: Text,
        /// Reference number.
        ref_no: Text = default,
        /// `Accepted`, `Unpaid`, `Expired` (or an unknown value, kept).
        status: Enum(PgaStatus),
        /// Who processed it: `PGA` or `OPERATOR`.
        by: Enum(PgaProcessor),
        /// User id in game.
        user: Text = default,
        /// When it was requested.
        request_date: DateTime,
        /// When it was processed; `None` when empty or null.
        processed_date: OptDateTime = default,
        /// Amount, exact.
        amount: Amount,
        /// Destination (`QRIS`, a bank, ...).
        destination_bank: Text = default,
    }
}

/// [`PgaTransaction`]'s wire fields in its serialisation order (`success`
/// and `message` read, not written), for the one-pass transcoder
/// (`wire::page`); the property tests check that the transcoder's text is
/// the typed path's.
const PAGE_FIELDS: &[wire::Field] = &[
    wire::field!("success", Success, true),
    wire::field!("message", Skip, true),
    wire::field!("row", Count, true),
    wire::field!("total_row", Count, true),
    wire::field!("page", Count, true),
    wire::field!("per_page", Count, true),
    wire::field!("total_page", Count, true),
    wire::field!("total_amount_page", OptAmount, true),
    wire::field!("total_amount_all", OptAmount, true),
    wire::field!("data", Rows(ROW_FIELDS), false),
];


#[derive(Debug, Deserialize)]
struct PgaWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, deserialize_with = "wire::count")]
    row: u64,
    #[serde(default, deserialize_with = "wire::count")]
    total_row: u64,
    #[serde(default, deserialize_with = "wire::count")]
    page: u64,
    #[serde(default, deserialize_with = "wire::count")]
    per_page: u64,
    #[serde(default, deserialize_with = "wire::count")]
    total_page: u64,
    #[serde(default, deserialize_with = "wire::opt_amount")]
    total_amount_page: Option<Decimal>,
    #[serde(default, deserialize_with = "wire::opt_amount")]
    total_amount_all: Option<Decimal>,
    #[serde(deserialize_with = "wire::rows")]
    data: Vec<PgaInvoice>,
}

impl Wire for PgaWire {
    type Output = PgaTransaction;

    fn finish(self) -> Result<PgaTransaction, Error> {
        wire::check_success(self.success, self.message.as_deref().unwrap_or(""))?;
        Ok(PgaTransaction {
            row: self.row,
            total_row: self.total_row,
            page: self.page,
            per_page: self.per_page,
            total_page: self.total_page,
            total_amount_page: self.total_amount_page.unwrap_or_default(),
            total_amount_all: self.total_amount_all.unwrap_or_default(),
            data: self.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::test_support::client;
    use crate::schema::paging::Paged;
    use crate::schema::id::EndpointId;
    use serde_json::json;

    wire::gen::transcoder_properties!(PgaTransactionParams, super::PAGE_FIELDS);

    #[test]
    fn transcoder_reads_the_common_page_and_leaves_the_rest() {
        let row = |k: u32, processed: &str| {
            format!(
                r#""{k}":{{"id_invoice":"1262255{k}","ref_no":"FKN8WBY5","status":"Accepted","by":"PGA","user":"INDAH9807","request_date":"2024-12-27 18:46:37.000","processed_date":{processed},"amount":"1460000","destination_bank":"QRIS"}}"#
            )
        };
        let body = format!(
            r#"{{"row":2,"total_row":2,"page":1,"per_page":1000,"total_page":1,"total_amount_page":2920000,"total_amount_all":2920000,"data":{{{},{}}}}}"#,
            row(2, "null"),
            row(1, r#""2024-12-27 19:46:37.000""#)
        );
        assert!(agrees(body.as_bytes()).unwrap());
        let text = transcode(200, body.as_bytes()).unwrap();
        assert!(
            text.starts_with(r#"{"row":2,"total_row":2,"page":1,"per_page":1000,"total_page":1,"total_amount_page":"2920000","total_amount_all":"2920000","data":[{"id_invoice":"12622551","#),
            "{text}"
        );
        assert!(text.contains(
            r#""request_date":"2024-12-27T18:46:37","processed_date":"2024-12-27T19:46:37","#
        ));
        for left in [
            r#"{"success":false,"message":"Invalid User!"}"#.to_owned(),
            r#"{"row":1}"#.to_owned(),
            format!(r#"{{"data":{{{},{}}}}}"#, row(1, "null"), row(1, "null")),
            format!(
                r#"{{"data":{{{}}},"total_amount_all":1e99999}}"#,
                row(1, "null")
            ),
        ] {
            assert_eq!(transcode(200, left.as_bytes()), None, "{left}");
        }
    }

    #[test]
    fn body_and_range_check() {
        let p = PgaTransactionParams::from_json(
            &json!({"start_date": "2024-03-01", "end_date": "2024-03-03", "page": 1}),
        )
        .unwrap();
        let r = client().request(&p);
        assert_eq!(r.redacted_url(), "http://example.com/home.php/***/pga");
        assert_eq!(
            r.body(),
            Some(&br#"{"end_date":"2024-03-03","page":1,"start_date":"2024-03-01"}"#[..])
        );
        let e = PgaTransactionParams::from_json(
            &json!({"start_date": "2024-03-04", "end_date": "2024-03-03"}),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("end_date"));
        let e = PgaTransactionParams::from_json(
            &json!({"start_date": "2024-03-01", "end_date": "2024-03-03", "status": "paid!"}),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("status"));
    }

    #[test]
    fn success_without_success_field_and_refusal() {
        let body = br#"{"row":1,"total_row":1,"page":1,"per_page":1000,"total_page":1,"total_amount_page":176000,"total_amount_all":176000,"data":{"1":{"id_invoice":"12387565","ref_no":"X","status":"Accepted","by":"PGA","user":"LOREM","request_date":"2024-03-01 11:54:56.000","processed_date":"2024-03-01 11:57:41.000","amount":"176000","destination_bank":"QRIS"}}}"#;
        let page = PgaTransactionParams::parse(200, body).unwrap();
        assert_eq!(page.data[0].status, PgaStatus::Accepted);
        assert_eq!(page.total_amount_all.to_string(), "176000");
        let e = PgaTransactionParams::parse(200, br#"{"success":false,"message":"Invalid User!"}"#)
            .unwrap_err();
        assert_eq!(e.api_kind(), Some(crate::schema::error::ApiErrorKind::InvalidUser));
    }

    #[test]
    fn next_page_checks_the_answered_page() {
        let body = |page: u32| {
            format!(
                r#"{{"row":1,"total_row":3,"page":{page},"per_page":1,"total_page":3,"total_amount_page":1,"total_amount_all":3,"data":{{"1":{{"id_invoice":"1","ref_no":"X","status":"Accepted","by":"PGA","user":"U","request_date":"2024-03-01 11:54:56.000","processed_date":"2024-03-01 11:57:41.000","amount":"1","destination_bank":"QRIS"}}}}}}"#
            )
        };
        let start = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let p1 = PgaTransactionParams::new(start, start, Page::FIRST).unwrap();
        let page1 = PgaTransactionParams::parse(200, body(1).as_bytes()).unwrap();
        let p2 = Paged::next_page(&p1, &page1).unwrap().unwrap();
        assert_eq!(p2.page.get(), 2);
        // A server that answers page 1 to the request for page 2.
        let e = Paged::next_page(&p2, &page1).unwrap_err();
        assert_eq!((e.kind(), e.path()), ("decode", Some("page")));
        let json_params =
            serde_json::json!({"start_date": "2024-03-01", "end_date": "2024-03-01", "page": 2});
        let json_page = serde_json::to_value(&page1).unwrap();
        let e =
            crate::api::dynamic::next_page(EndpointId::PgaTransaction, &json_params, &json_page)
                .unwrap_err();
        assert_eq!((e.kind(), e.path()), ("decode", Some("page")));
    }
}
