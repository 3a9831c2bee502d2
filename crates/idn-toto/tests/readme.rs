//! The crate's own README (shown on crates.io) carries the same Rust example
//! as the repository README, which the crate compiles and runs as a doctest
//! (`ReadmeDoctests` in lib.rs): so the crate README's example is tested too.

fn rust_blocks(markdown: &str) -> Vec<&str> {
    markdown
        .split("```rust\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .collect()
}

#[test]
fn crate_readme_example_is_the_doctested_one() {
    let crate_readme = include_str!("../README.md");
    let repo_readme = include_str!("../../../README.md");
    let ours = rust_blocks(crate_readme);
    assert_eq!(ours.len(), 1, "the crate README has one Rust example");
    assert!(
        rust_blocks(repo_readme).contains(&ours[0]),
        "crates/idn-toto/README.md's example differs from the repository README's doctested one"
    );
}

#[test]
fn crate_readme_names_its_licences() {
    let crate_readme = include_str!("../README.md");
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(
            crate_readme.contains(&format!("]({file})")),
            "{file} not linked"
        );
    }
}
