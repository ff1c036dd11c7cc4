//! A route under `/_chalice/` that the local server's own endpoints hide: named in a
//! warning when the server starts, as a developer sees it in the server's log.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chalice_core::adapter::Gateway;
use chalice_core::{Chalice, Route};
use chalice_local::Server;

use support::http;

/// The log, as the server's subscriber writes it.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_hidden_route_is_named_when_the_server_starts() {
    let log = Log::default();
    let writer = log.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    let mut app = Chalice::new("app");
    app.register(Route::new("/_chalice/invoke/{job}", || "the app's").methods(["POST"]));
    app.route("/_chalice/health", || "ok");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let served = std::thread::spawn(move || {
        // The server runs on this thread's runtime: its log goes to this thread's subscriber.
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        runtime.block_on(async {
            let server = Server::bind(
                "127.0.0.1:0".parse().expect("an address"),
                Gateway::new(Arc::new(app)),
            )
            .await
            .expect("bind");
            addr_tx
                .send(server.local_addr().expect("an address"))
                .expect("sent");
            server
                .serve_until(async {
                    let _ = stopped.await;
                })
                .await
                .expect("served")
        })
    });
    let addr = addr_rx.recv().expect("the address");
    // What the warning is about: the request is the server's, not the view's.
    let (status, body) = http(addr, "POST", "/_chalice/invoke/report", "{}");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("Chalice.UnknownFunction"), "{body}");
    // A route the server does not take is the app's.
    assert_eq!(
        http(addr, "GET", "/_chalice/health", ""),
        (200, "ok".to_owned())
    );
    let _ = stop.send(());
    served.join().expect("the server stops");

    let log = String::from_utf8(log.0.lock().expect("not poisoned").clone()).expect("UTF-8");
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains(" WARN ")).collect();
    assert_eq!(warnings.len(), 1, "{log}");
    assert!(
        warnings[0].ends_with(
            "chalice::local: route /_chalice/invoke/{job} (POST) is hidden locally: requests under \
             /_chalice/invoke/ invoke the app's functions, so they never reach its view here; \
             deployed, the route works. Move it out of /_chalice/ to try it locally"
        ),
        "{log}"
    );
}
