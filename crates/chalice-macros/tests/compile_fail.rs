//! Declarations `#[route]` refuses, and the message each gets: `tests/ui/*.rs` with the
//! expected compiler output beside each in `*.stderr`. Regenerate with
//! `TRYBUILD=overwrite cargo test -p chalice-macros --test compile_fail`, then read them.
//!
//! The cases are grouped by the stage that refuses them (paths, options and the view's
//! signature are refused by the macro, the types in `types.rs` by the compiler), one file
//! each with every case of the group: each file costs a rustc run that loads chalice and its
//! dependencies, and a case's error never hides another's in the same stage.

#[test]
fn mistakes_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
