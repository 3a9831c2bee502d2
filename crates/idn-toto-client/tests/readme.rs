//! The repository README shows the five-line typed call as `rust,ignore`
//! (the core's doc tests compile that README, and the core does not depend
//! on this crate); it must be the crate README's snippet, which this
//! crate's doc tests compile (`ReadmeDoctests` in lib.rs).

fn blocks<'a>(markdown: &'a str, fence: &str) -> Vec<&'a str> {
    markdown
        .split(fence)
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .collect()
}

#[test]
fn the_repository_readme_shows_the_compiled_snippet() {
    let ours = blocks(include_str!("../README.md"), "```rust,no_run\n");
    let repo = blocks(include_str!("../../../README.md"), "```rust,ignore\n");
    assert!(!ours.is_empty());
    assert!(
        repo.contains(&ours[0]),
        "README.md's idn-toto-client snippet differs from crates/idn-toto-client/README.md's"
    );
    assert!(
        ours[0]
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count()
            <= 5
    );
}

#[test]
fn the_crate_readme_names_its_licences() {
    let readme = include_str!("../README.md");
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert!(readme.contains(&format!("]({file})")), "{file} not linked");
    }
}
