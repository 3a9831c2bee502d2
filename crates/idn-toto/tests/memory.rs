//! Hostile size: a large body that needs the tolerant path is read in one
//! pass, with peak memory a small multiple of the body.
//!
//! dhat's allocator (this test binary only) records the peak bytes held
//! while one body is parsed; the limit is deterministic, not timed.

use idn_toto::{dynamic, EndpointId};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// A pending list of about `size` bytes written the spec's way (bare dates,
/// a raw line break in a string): strict JSON refuses it, so the whole body
/// goes through the tolerant path.
fn spec_style_list(size: usize) -> String {
    let mut out = String::with_capacity(size + 1024);
    out.push('{');
    let mut i = 1u64;
    while out.len() < size {
        if i > 1 {
            out.push(',');
        }
        out.push_str(&format!(
            "\n\"{i}\":{{\"id\":\"{i}\",\"user\":\"user{i}\",\"date\":23-02-2021 15:38:48,\"type\":\"deposit\",\"game\":\"test123\",\"bank_acc_name\":\"TEST TESTACCOUNT\",\"bank_name\":\"BNI\",\"bank_acc_number\":\"0730289330\",\"amount\":\"{i}.0000\",\"destination_bank\":\"BNI\",\"destination_acc_number\":\"535-288-9976\n\"}}"
        ));
        i += 1;
    }
    out.push('}');
    out
}

#[test]
fn a_10_mb_tolerant_body_is_read_in_a_small_multiple_of_its_size() {
    let body = spec_style_list(10 << 20);
    let rows = body.matches("\"id\"").count();
    let _profiler = dhat::Profiler::builder().testing().build();
    let parsed = dynamic::parse(EndpointId::TransactionList, 200, body.as_bytes())
        .expect("the spec-style list reads");
    // Bytes allocated after the profiler started (the body was made before).
    let peak = dhat::HeapStats::get().max_bytes;
    assert_eq!(parsed["data"].as_array().map(Vec::len), Some(rows));
    drop(parsed);
    let ratio = peak as f64 / body.len() as f64;
    eprintln!(
        "body {} bytes, {rows} rows, peak {peak} bytes held while parsing ({ratio:.1}x)",
        body.len()
    );
    // The parse itself holds the repaired text (about 1x), the typed rows and
    // the canonical JSON value the dynamic API returns; 1.9 GB (196x) before
    // the one-pass reader.
    assert!(ratio < 12.0, "peak {peak} bytes is {ratio:.1}x the body");
}
