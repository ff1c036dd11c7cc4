//! Declarations `#[route]` refuses, and the message each gets: `tests/ui/*.rs` with the
//! expected compiler output beside each in `*.stderr`. Regenerate with
//! `TRYBUILD=overwrite cargo test -p chalice-macros --test compile_fail`, then read them.

#[test]
fn mistakes_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
}
