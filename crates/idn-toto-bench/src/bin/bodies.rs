//! `idn-toto-bench-bodies --out DIR`: writes the benchmark bodies
//! (`pending_10.json`, `pending_1000.json`, `pending_25000.json`,
//! `full_transaction_page.json`, `pga_page.json`) for the Node and Python
//! benches.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [flag, dir] if flag == "--out" => PathBuf::from(dir),
        _ => {
            eprintln!("usage: idn-toto-bench-bodies --out DIR");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    for (name, body) in idn_toto_bench::bodies() {
        let path = out.join(&name);
        if let Err(e) = std::fs::write(&path, body.as_bytes()) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} ({} bytes)", path.display(), body.len());
    }
    ExitCode::SUCCESS
}
