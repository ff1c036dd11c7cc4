//! Helpers shared by the end-to-end tests.

pub(crate) mod moto;
pub(crate) mod project;
