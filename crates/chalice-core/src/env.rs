//! [`env_var`]: the environment variables of the function running now, which the test client
//! can set per client (Chalice's test client patches `os.environ` with the stage's
//! `environment_variables`; two Rust tests run in parallel threads of one process, so ours
//! keeps them per invocation instead of in the process's environment).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use crate::slot::WithSlot;

/// Environment variables set for one invocation, over the process's.
pub type EnvVars = Arc<BTreeMap<String, String>>;

thread_local! {
    static OVERLAY: RefCell<Option<EnvVars>> = const { RefCell::new(None) };
}

/// The environment variable `key` as the running function sees it: the value the adapter
/// set for this invocation (the test client's stage `environment_variables` and
/// [`env_vars`](https://docs.rs/chalice/latest/chalice/test/struct.Client.html#method.env_vars)),
/// else the process's (`std::env::var`), else `None` (also for a value that is not
/// Unicode).
///
/// On Lambda and under `chalice local` the stage's variables are the process's own, so this
/// is `std::env::var`; read configuration with it rather than with `std::env::var` to let
/// tests set it per client.
///
/// ```
/// use chalice_core::Chalice;
///
/// let mut app = Chalice::new("todo");
/// app.route("/table", || chalice_core::env_var("TABLE_NAME").unwrap_or_else(|| "none".to_owned()));
/// # assert_eq!(chalice_core::env_var("CHALICE_SURELY_UNSET_VARIABLE"), None);
/// ```
pub fn env_var(key: &str) -> Option<String> {
    OVERLAY
        .with(|overlay| {
            overlay
                .borrow()
                .as_ref()
                .and_then(|vars| vars.get(key).cloned())
        })
        .or_else(|| std::env::var(key).ok())
}

/// `future`, with `vars` over the process's environment for [`env_var`] (each poll of it):
/// what the test client wraps each request and invocation in.
pub fn with_env_vars<F: Future>(vars: EnvVars, future: F) -> WithSlot<F, EnvVars> {
    WithSlot::new(future, vars, &OVERLAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invocation_sees_its_own_variables_first_then_the_process() {
        let vars: EnvVars = Arc::new(BTreeMap::from([
            ("TABLE".to_owned(), "todos-test".to_owned()),
            ("PATH".to_owned(), "overridden".to_owned()),
        ]));
        let seen = crate::__private::block_on(with_env_vars(vars, async {
            (env_var("TABLE"), env_var("PATH"), env_var("HOME").is_some())
        }));
        assert_eq!(
            seen,
            (
                Some("todos-test".to_owned()),
                Some("overridden".to_owned()),
                std::env::var("HOME").is_ok()
            )
        );
        assert_eq!(env_var("TABLE"), None, "outside the invocation");
    }
}
