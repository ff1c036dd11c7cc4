//! [`env_var`]: the environment variables of the function running now, which the test client
//! can set per client (Chalice's test client patches `os.environ` with the stage's
//! `environment_variables`; two Rust tests run in parallel threads of one process, so ours
//! keeps them per invocation instead of in the process's environment). The local server
//! sets them too: its process has the API handler's variables, and each other function
//! (a schedule, a WebSocket handler) runs with what its own `lambda_functions` entry changes.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use crate::slot::WithSlot;

/// Environment variables set for one invocation, over the process's: a value, or `None`
/// for a variable the function does not have although the process does (the local server's
/// process has the API handler's variables; another function may lack some of them).
pub type EnvVars = Arc<BTreeMap<String, Option<String>>>;

thread_local! {
    static OVERLAY: RefCell<Option<EnvVars>> = const { RefCell::new(None) };
}

/// The environment variable `key` as the running function sees it: the value the adapter
/// set for this invocation (the test client's stage `environment_variables` and
/// [`env_vars`](https://docs.rs/chalice/latest/chalice/test/struct.Client.html#method.env_vars);
/// under `chalice local`, the function's own `lambda_functions` variables), else the
/// process's (`std::env::var`), else `None` (also for a value that is not Unicode, and for a
/// variable the adapter unset for this function).
///
/// On Lambda the function's variables are the process's own, so this is `std::env::var`;
/// read configuration with it rather than with `std::env::var` to let tests set it per
/// client, and to let `chalice local` give each function its own.
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
        .unwrap_or_else(|| std::env::var(key).ok())
}

/// `future`, with `vars` over the process's environment for [`env_var`] (each poll of it):
/// what the test client wraps each request and invocation in, and the local server each
/// function's.
pub fn with_env_vars<F: Future>(vars: EnvVars, future: F) -> WithSlot<F, EnvVars> {
    WithSlot::new(future, vars, &OVERLAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invocation_sees_its_own_variables_first_then_the_process() {
        assert!(std::env::var("PATH").is_ok(), "the test needs PATH set");
        let vars: EnvVars = Arc::new(BTreeMap::from([
            ("TABLE".to_owned(), Some("todos-test".to_owned())),
            ("PATH".to_owned(), None),
        ]));
        let seen = crate::__private::block_on(with_env_vars(vars, async {
            (env_var("TABLE"), env_var("PATH"), env_var("HOME"))
        }));
        // Set, unset although the process has it, and the process's.
        assert_eq!(
            seen,
            (
                Some("todos-test".to_owned()),
                None,
                std::env::var("HOME").ok()
            )
        );
        assert_eq!(env_var("TABLE"), None, "outside the invocation");
    }
}
