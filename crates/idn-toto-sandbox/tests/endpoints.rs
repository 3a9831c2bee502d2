//! Every endpoint's happy path and failure messages, over real HTTP.

mod common;

use common::{failure, seg, Harness, TOKEN};
use idn_toto_sandbox::{Config, HistoryOrder, HistoryView};
use serde_json::{json, Value};

#[test]
fn transaction_list_filters_and_shapes() {
    let h = Harness::start();
    let all = h.get("/dps");
    assert_eq!(all.status, 200);
    let all = all.json();
    let rows = all.as_object().expect("keyed object");
    assert_eq!(rows.len(), 18);
    let first = &all["1"];
    assert_eq!(
        first,
        &json!({
            "id": "123450001", "user": "IPSUM", "date": "16-05-2024 08:03:34", "type": "deposit",
            "game": "totomaster", "bank_acc_name": "MAYA NUGROHO", "bank_name": "MANDIRI",
            "bank_acc_number": "3577892364", "amount": "1000000.0000", "destination_bank": "BCA",
            "destination_acc_number": "8830-112-456"
        })
    );
    // Keys in the spec's order.
    let text = h.get("/dps").body;
    let order = [
        "\"id\"",
        "\"user\"",
        "\"date\"",
        "\"type\"",
        "\"game\"",
        "\"bank_acc_name\"",
        "\"bank_name\"",
        "\"bank_acc_number\"",
        "\"amount\"",
        "\"destination_bank\"",
        "\"destination_acc_number\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).expect(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    let bni = h.get("/dps/bni").json();
    let bni = bni.as_object().expect("keyed");
    assert_eq!(bni.len(), 4);
    assert!(bni
        .values()
        .all(|r| r["destination_bank"] == "BNI" && r["type"] == "deposit"));
    assert_eq!(
        bni.keys().cloned().collect::<Vec<_>>(),
        ["1", "2", "3", "4"]
    );

    let wd = h.get("/wd").json();
    assert_eq!(wd.as_object().expect("keyed").len(), 12);
    assert!(wd
        .as_object()
        .expect("keyed")
        .values()
        .all(|r| r["type"] == "withdraw"));

    let named = h.get("/dps/BCA?name=pt%20sandbox%20toto").json();
    assert_eq!(named.as_object().expect("keyed").len(), 4);
    let named = h.get("/dps?NAME=SANDBOX+DANA").json();
    assert_eq!(named.as_object().expect("keyed").len(), 3);
    assert_eq!(h.get("/dps/BCA?name=nobody").body, "[]");
    assert_eq!(h.get("/wd/UNKNOWNBANK").body, "[]");
}

#[test]
fn accept_reject_single() {
    let h = Harness::start();
    let ok = json!({"success": true, "message": "Transaction has been successfully processed."});
    let gone = failure("The transaction couldnt be found or has been modified before");
    // Wrong user, wrong type, unknown id: all "couldnt be found".
    assert_eq!(h.get("/push_dps/123450001/LOREM/ACCEPT/c/op").json(), gone);
    assert_eq!(h.get("/push_wd/123450001/IPSUM/ACCEPT/c/op").json(), gone);
    assert_eq!(h.get("/push_dps/999/IPSUM/ACCEPT/c/op").json(), gone);
    assert_eq!(
        h.get("/push_dps/123450001/IPSUM/MAYBE/c/op").json(),
        failure("Invalid action")
    );
    // Comments and operators with spaces, slashes and any UTF-8.
    let path = format!(
        "/push_dps/123450001/ipsum/Accept/{}/{}",
        seg("ok / dicek ✓"),
        seg("OP 01")
    );
    assert_eq!(h.get(&path).json(), ok);
    assert_eq!(h.get(&path).json(), gone);
    let path = format!(
        "/push_wd/123450023/{}/reject/{}/op",
        seg("ñoño88"),
        seg("rekening salah")
    );
    assert_eq!(h.get(&path).json(), ok);
}

#[test]
fn batch_accept_reject() {
    let h = Harness::start();
    let all_ok = h.post(
        "/push_dps",
        r#"{"transaction":[
            {"trans_id":"123450001","user":"IPSUM","action":"ACCEPT","comment":"MULTI 001","operator":"OP01"},
            {"trans_id":123450002,"user":"andi88","action":"reject","comment":"MULTI 002","operator":"OP01"}]}"#,
    );
    assert_eq!(
        all_ok.json(),
        json!({"success": true, "message": "All transactions has been successfully processed.", "data": []})
    );
    let partial = h.post(
        "/push_dps",
        r#"{"transaction":[
            {"trans_id":"123450001","user":"IPSUM","action":"ACCEPT","comment":"again","operator":"OP01"},
            {"trans_id":"123450003","user":"fajar21","action":"ACCEPT","comment":"x","operator":"OP01"},
            {"trans_id":"123450004","user":"kartika","action":"nope","comment":"x","operator":"OP01"}]}"#,
    );
    assert_eq!(
        partial.json(),
        json!({"success": true, "message": "partial transactions has been successfully processed.", "data": [
            {"success": false, "trans_id": "123450001", "message": "The transaction couldnt be found or has been modified before"},
            {"success": false, "trans_id": "123450004", "message": "Invalid action"}
        ]})
    );
    let none = h.post(
        "/push_wd",
        r#"{"transaction":[{"trans_id":"123450022","user":"sinta88","action":"ACCEPT","comment":"x","operator":"o"}]}"#,
    );
    assert_eq!(
        none.json(),
        json!({"success": false, "message": "Oops something wrong! Please contact operator!", "data": [
            {"success": false, "trans_id": "123450022", "message": "Insufficient balance"}
        ]})
    );
}

#[test]
fn batch_refusals() {
    let h = Harness::start();
    let oops = json!({"success": false, "message": "Oops something wrong! Please contact operator!", "data": []});
    for body in [
        "",
        "not json",
        "[]",
        r#"{"transaction":[]}"#,
        r#"{"transaction":{}}"#,
        r#"{"transaction":[1]}"#,
        r#"{"transaction":[{"user":"IPSUM","action":"ACCEPT"}]}"#,
        r#"{"transaction":[{"trans_id":"1","user":"IPSUM","action":"ACCEPT","comment":[]}]}"#,
    ] {
        assert_eq!(h.post("/push_dps", body).json(), oops, "{body}");
    }
    assert_eq!(
        h.post("/MANUAL/depo", r#"{"transaction":[{"user":"LOREM"}]}"#)
            .json(),
        oops
    );
    let item =
        r#"{"trans_id":"123450001","user":"IPSUM","action":"ACCEPT","comment":"c","operator":"o"}"#;
    let many = format!("{{\"transaction\":[{}]}}", vec![item; 26].join(","));
    assert_eq!(
        h.post("/push_dps", &many).json(),
        json!({"success": false, "message": "Maximum 25 transactions per request", "data": []})
    );
    // Refused batches change nothing.
    assert_eq!(h.balance("IPSUM"), "125000.00");
    let exactly = format!("{{\"transaction\":[{}]}}", vec![item; 25].join(","));
    let answer = h.post("/push_dps", &exactly).json();
    assert_eq!(
        answer["message"],
        "partial transactions has been successfully processed."
    );
    assert_eq!(answer["data"].as_array().map(Vec::len), Some(24));
    assert_eq!(h.balance("IPSUM"), "1125000.00");
}

#[test]
fn manual_single() {
    let h = Harness::start();
    let ok = json!({"success": true, "message": "Transaction has been successfully processed."});
    assert_eq!(h.get("/MANUAL/depo/LOREM/TRANS-01/10000/OP01").json(), ok);
    assert_eq!(h.get("/MANUAL/dps/lorem/TRANS-02/100.50/OP01").json(), ok);
    assert_eq!(h.balance("LOREM"), "19000.50");
    assert_eq!(
        h.get("/MANUAL/wd/LOREM/TRANS-03/19000.51/OP01").json(),
        failure("Insufficient balance")
    );
    assert_eq!(h.get("/MANUAL/wd/LOREM/TRANS-03/19000.50/OP01").json(), ok);
    assert_eq!(h.balance("LOREM"), "0.00");
    assert_eq!(
        h.get("/MANUAL/depo/nobody/x/1/op").json(),
        failure("User tidak terdaftar!!")
    );
    for bad in ["0", "-5", "abc", "1e3", "1.001", "1,5"] {
        assert_eq!(
            h.get(&format!("/MANUAL/depo/LOREM/x/{}/op", seg(bad)))
                .json(),
            failure("Invalid amount"),
            "{bad}"
        );
    }
    let path = format!(
        "/manual/wd/{}/{}/5000/op",
        seg("joko santoso"),
        seg("tarik tunai")
    );
    assert_eq!(h.get(&path).json(), ok);
    assert_eq!(h.balance("joko santoso"), "10000.00");
}

#[test]
fn manual_batch() {
    let h = Harness::start();
    let body = r#"{"transaction":[
        {"user":"LOREM","amount":10000,"comment":"BULK 001","operator":"OP01"},
        {"user":"ghost","amount":"5","comment":"BULK 002","operator":"OP01"},
        {"user":"IPSUM","amount":"-1","comment":"BULK 003","operator":"OP01"},
        {"user":"IPSUM","amount":"25000.5","comment":"BULK 004","operator":"OP01"}]}"#;
    for path in ["/MANUAL/depo", "/MANUAL/dps", "/manual_dps"] {
        let h = Harness::start();
        assert_eq!(
            h.post(path, body).json(),
            json!({"success": true, "message": "partial transactions has been successfully processed.", "data": [
                {"success": false, "user": "ghost", "index": 1, "message": "User tidak terdaftar!!"},
                {"success": false, "user": "IPSUM", "index": 2, "message": "Invalid amount"}
            ]}),
            "{path}"
        );
        assert_eq!(h.balance("LOREM"), "18900.00");
        assert_eq!(h.balance("IPSUM"), "150000.50");
    }
    let wd = r#"{"transaction":[{"user":"LOREM","amount":8900,"comment":"c","operator":"o"}]}"#;
    assert_eq!(
        h.post("/manual_wd", wd).json(),
        json!({"success": true, "message": "All transactions has been successfully processed.", "data": []})
    );
    assert_eq!(
        h.post("/MANUAL/wd", wd).json(),
        json!({"success": false, "message": "Oops something wrong! Please contact operator!", "data": [
            {"success": false, "user": "LOREM", "index": 0, "message": "Insufficient balance"}
        ]})
    );
}

#[test]
fn player_info() {
    let h = Harness::start();
    assert_eq!(
        h.get("/player_info/lorem").json(),
        json!({"success": true, "message": "Success", "user": "LOREM", "balance": "8900.00"})
    );
    assert_eq!(
        h.get("/player_info/nobody").json(),
        failure("User not found")
    );
    assert_eq!(h.balance("ñoño88"), "2500000.00");
}

/// `history`: oldest first and capped on request (a server that answers
/// so hides every entry after its cap); `latest` is unchanged.
#[test]
fn history_can_be_listed_oldest_first_and_capped() {
    let all = Harness::start().get("/history/dps/LOREM").json()["data"]
        .as_array()
        .expect("array")
        .clone();
    assert!(all.len() >= 3, "{all:?}");
    let config = Config {
        history: HistoryView {
            order: HistoryOrder::Oldest,
            cap: Some(2),
        },
        ..Config::default().with_token(TOKEN)
    };
    let h = Harness::with(config);
    let data = h.get("/history/dps/LOREM").json()["data"].clone();
    assert_eq!(data, json!([all[all.len() - 1], all[all.len() - 2]]));
    let before = data.clone();
    // A manual deposit lands, but the capped answer does not show it.
    let done = h.get("/MANUAL/depo/LOREM/c/500/OP01").json();
    assert_eq!(done["success"], true);
    assert_eq!(h.get("/history/dps/LOREM").json()["data"], before);
    assert_eq!(h.get("/latest/dps/LOREM").json()["data"]["amount"], "500");
    let newest = Config {
        history: HistoryView {
            order: HistoryOrder::Newest,
            cap: Some(1),
        },
        ..Config::default().with_token(TOKEN)
    };
    let h = Harness::with(newest);
    assert_eq!(h.get("/history/dps/LOREM").json()["data"], json!([all[0]]));
}

#[test]
fn history_and_latest() {
    let h = Harness::start();
    let history = h.get("/history/dps/LOREM").json();
    assert_eq!(history["success"], true);
    assert_eq!(history["message"], "Success");
    assert_eq!(history["user"], "LOREM");
    let data = history["data"].as_array().expect("array");
    assert_eq!(
        data.last(),
        Some(&json!({"date": "2021-04-19 04:27:07.057", "amount": "200000", "status": "REJECT"}))
    );
    let dates: Vec<&str> = data
        .iter()
        .map(|d| d["date"].as_str().expect("date"))
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );

    let latest = h.get("/latest/dps/LOREM").json();
    assert_eq!(latest["data"], data[0]);
    assert_eq!(
        h.get("/history/wd/nobody").json(),
        failure("User not found")
    );
    assert_eq!(h.get("/latest/wd/nobody").json(), failure("User not found"));
    // No transactions of that type: an empty array / an empty object.
    assert_eq!(h.get("/history/dps/dian.ps").json()["data"], json!([]));
    assert_eq!(
        h.get("/latest/dps/dian.ps").json(),
        json!({"success": true, "message": "Success", "user": "dian.ps", "data": {}})
    );
}

#[test]
fn games_and_numbers() {
    let h = Harness::start();
    let games = h.get("/game_list").json();
    assert_eq!(games["success"], true);
    assert_eq!(
        games["data"][0],
        json!({"gamecode": "o2", "pasar": "POOLS5D", "type": "togel5d"})
    );
    assert_eq!(games["data"].as_array().map(Vec::len), Some(8));

    let numbers = h.get("/number_history/o2").json();
    assert_eq!(numbers["gamecode"], "o2");
    assert_eq!(numbers["pasar"], "POOLS5D");
    assert_eq!(numbers["type"], "togel5d");
    let data = numbers["data"].as_array().expect("array");
    assert_eq!(data.len(), 10);
    assert_eq!(
        data[0],
        json!({"periode": "25", "tanggal": "25-04-2024 10:21:14", "angka": "00042"})
    );
    assert_eq!(data[9]["periode"], "16");
    assert_eq!(
        h.get("/number_history/h1").json()["data"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(h.get("/number_history/k3").json()["data"], json!([]));
    assert_eq!(
        h.get("/number_history/nope").json(),
        failure("Invalid Game Code!")
    );
}

#[test]
fn referral() {
    let h = Harness::start();
    let referral = h.get("/referral/DOLER").json();
    assert_eq!(referral["success"], true);
    let data = referral["data"].as_array().expect("array");
    assert_eq!(data.len(), 6);
    assert_eq!(data[0]["user"], "LOREM");
    let joindate = data[0]["joindate"].as_str().expect("joindate");
    assert_eq!(
        joindate.len(),
        "2017-04-27 13:27:05.5570000".len(),
        "{joindate}"
    );
    assert_eq!(h.get("/referral/indah23").json()["data"], json!([]));
    assert_eq!(h.get("/referral/nobody").json(), failure("Invalid User!"));
}

#[test]
fn full_transaction_pages() {
    let h = Harness::start();
    let mut seen = Vec::new();
    for page in 1..=3 {
        let answer = h.get(&format!("/full_transaction/LOREMS/{page}")).json();
        assert_eq!(answer["success"], true);
        assert_eq!(answer["total_data"], "23 Rows");
        assert_eq!(answer["total_page"], "3 Page(s)");
        for row in answer["data"].as_array().expect("array") {
            assert_eq!(row["date"], "2024-05-17");
            seen.push(row["periode"].as_str().expect("periode").to_owned());
        }
    }
    assert_eq!(seen.len(), 23);
    let first = h.get("/full_transaction/LOREMS/1").body;
    assert!(
        first.starts_with(r#"{"success":true,"message":"Success","total_data":"23 Rows","total_page":"3 Page(s)","data":[{"user":"LOREMS","date":"2024-05-17","periode":"107470","gamecode":"p9b","pasar":"12D Thunder","turnover":""#),
        "{first}"
    );
    assert_eq!(first.matches("\"message\"").count(), 1);
    let past = h.get("/full_transaction/LOREMS/4").json();
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["total_data"], "23 Rows");
    let typo = h.get("/full_transction/LOREMS/1?date=2024-05-16").json();
    assert_eq!(typo["total_data"], "3 Rows");
    assert_eq!(typo["total_page"], "1 Page(s)");
    assert_eq!(typo["data"][0]["winlose"], "-2000.00");
    assert_eq!(typo["data"][0]["turnover"], "12000.00");
    let empty = h.get("/full_transaction/LOREM/1?date=2020-01-01").json();
    assert_eq!(
        (&empty["total_data"], &empty["total_page"]),
        (&json!("0 Rows"), &json!("0 Page(s)"))
    );
    assert_eq!(
        h.get("/full_transaction/LOREMS/1?date=").json()["total_data"],
        "23 Rows"
    );
    assert_eq!(
        h.get("/full_transaction/nobody/1").json(),
        failure("Invalid User!")
    );
    for bad in ["2024-5-17", "2024-02-30", "yesterday"] {
        assert_eq!(
            h.get(&format!("/full_transaction/LOREMS/1?date={bad}"))
                .json(),
            failure("Invalid date")
        );
    }
    assert_eq!(
        h.get("/full_transaction/LOREMS/0").json(),
        failure("Invalid page")
    );
    assert_eq!(
        h.get("/full_transaction/LOREMS/x").json(),
        failure("Invalid page")
    );
}

#[test]
fn today_is_configurable() {
    let mut seed = idn_toto_sandbox::Seed::builtin();
    seed.set_today("2024-05-16").expect("date");
    let h = Harness::with(
        idn_toto_sandbox::Config::default()
            .with_token(TOKEN)
            .with_seed(seed),
    );
    assert_eq!(
        h.get("/full_transaction/LOREMS/1").json()["total_data"],
        "3 Rows"
    );
}

fn pga(h: &Harness, body: Value) -> Value {
    h.post("/pga", &body.to_string()).json()
}

#[test]
fn pga_pages_and_filters() {
    let h = Harness::start();
    let mut ids = Vec::new();
    let mut sum = 0_u64;
    let mut total_all = None;
    for page in 1..=4 {
        let answer = pga(
            &h,
            json!({"start_date": "2024-03-01", "end_date": "2024-03-31", "page": page}),
        );
        assert!(
            answer.get("success").is_none(),
            "no success field: {answer}"
        );
        assert_eq!(answer["total_row"], 17);
        assert_eq!(answer["per_page"], 5);
        assert_eq!(answer["total_page"], 4);
        assert_eq!(answer["page"], page);
        let data = answer["data"].as_object().expect("keyed");
        assert_eq!(answer["row"], data.len());
        let mut page_sum = 0;
        for (key, row) in data {
            assert!(key.parse::<usize>().is_ok());
            ids.push(row["id_invoice"].as_str().expect("id").to_owned());
            page_sum += row["amount"]
                .as_str()
                .expect("amount")
                .parse::<u64>()
                .expect("whole");
            assert!(row["request_date"]
                .as_str()
                .expect("date")
                .ends_with(".000"));
        }
        assert_eq!(answer["total_amount_page"], page_sum);
        sum += page_sum;
        total_all = Some(answer["total_amount_all"].clone());
    }
    assert_eq!(ids.len(), 17);
    assert_eq!(total_all, Some(json!(sum)));
    let past = pga(
        &h,
        json!({"start_date": "2024-03-01", "end_date": "2024-03-31", "page": 9}),
    );
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["row"], 0);

    let mut statuses = std::collections::BTreeSet::new();
    for (filter, status) in [
        ("paid", "Accepted"),
        ("unpaid", "Unpaid"),
        ("expired", "Expired"),
    ] {
        let answer = pga(
            &h,
            json!({"start_date": "2024-03-01", "end_date": "2024-03-31", "page": "1", "status": filter}),
        );
        let data = answer["data"].as_object().expect("keyed");
        assert!(!data.is_empty());
        assert!(data.values().all(|r| r["status"] == status), "{filter}");
        statuses.insert(status);
    }
    assert_eq!(statuses.len(), 3);
    let lorem = pga(
        &h,
        json!({"user": "lorem", "status": "all", "start_date": "2024-03-01", "end_date": "2024-03-31", "page": 1}),
    );
    assert!(lorem["data"]
        .as_object()
        .expect("keyed")
        .values()
        .all(|r| r["user"] == "LOREM"));
    let by_ref = pga(
        &h,
        json!({"ref_no": "ODSH0000SMNDFU0000FBDSG", "start_date": "2024-03-01", "end_date": "2024-03-01", "page": 1}),
    );
    assert_eq!(by_ref["total_row"], 1);
    assert_eq!(by_ref["data"]["1"]["id_invoice"], "12387560");
    let none = pga(
        &h,
        json!({"start_date": "2023-01-01", "end_date": "2023-01-31", "page": 1}),
    );
    assert_eq!(none["data"], json!([]));
    assert_eq!(
        (
            &none["total_row"],
            &none["total_page"],
            &none["total_amount_all"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
}

#[test]
fn pga_refusals() {
    let h = Harness::start();
    let ok_dates = json!({"start_date": "2024-03-01", "end_date": "2024-03-31", "page": 1});
    let mut with_user = ok_dates.clone();
    with_user["user"] = json!("nobody");
    assert_eq!(pga(&h, with_user), failure("Invalid User!"));
    assert_eq!(
        pga(&h, json!({"page": 1})),
        failure("start_date and end_date are required (YYYY-MM-DD)")
    );
    assert_eq!(
        pga(
            &h,
            json!({"start_date": "2024-03-01", "end_date": "03/31/2024"})
        ),
        failure("Invalid date")
    );
    assert_eq!(
        pga(
            &h,
            json!({"start_date": "2024-03-31", "end_date": "2024-03-01"})
        ),
        failure("Invalid date")
    );
    let mut bad_status = ok_dates.clone();
    bad_status["status"] = json!("pending");
    assert_eq!(pga(&h, bad_status), failure("Invalid status"));
    let mut bad_page = ok_dates.clone();
    bad_page["page"] = json!(0);
    assert_eq!(pga(&h, bad_page), failure("Invalid page"));
    assert_eq!(
        h.post("/pga", "{oops").json(),
        failure("Oops something wrong! Please contact operator!")
    );
}

#[test]
fn bank_list() {
    let h = Harness::start();
    assert_eq!(
        h.get("/bank_list").json(),
        json!({"success": true, "data": ["BCA", "MANDIRI", "BNI", "BRI", "DANA"]})
    );
}

#[test]
fn wrong_token_and_unknown_paths() {
    let h = Harness::start();
    let base = h.sandbox.base_url();
    for url in [
        format!("{base}/WRONG/dps"),
        format!("{base}/{}x/player_info/LOREM", TOKEN),
        base.to_owned(),
        format!("{base}/"),
    ] {
        let answer = h.get_url(&url);
        assert_eq!(answer.status, 403, "{url}");
        assert_eq!(answer.json(), failure("Invalid token"));
    }
    for path in [
        "/nope",
        "/dps/a/b",
        "/player_info",
        "/push_dps/1/u/ACCEPT/c",
    ] {
        let answer = h.get(path);
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.json(), failure("Unknown endpoint"));
    }
    let answer = h.get_url(&format!("http://{}/other", h.sandbox.addr()));
    assert_eq!(
        (answer.status, answer.json()),
        (404, failure("Unknown endpoint"))
    );
    // GET on a POST endpoint.
    assert_eq!(h.get("/pga").status, 404);
}
