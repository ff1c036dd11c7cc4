//! A spinner for waits (a function becoming active, a role propagating), on a terminal only:
//! in logs and pipes the status line before the wait says enough.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::output::{Output, Verbosity};

/// A spinner drawn on stderr until dropped.
#[derive(Debug)]
pub(crate) struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts a spinner after `message` when stderr is a terminal and status lines are
    /// wanted (not `--quiet`); does nothing otherwise.
    pub(crate) fn start(output: Output, message: &str) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let wanted = output.verbosity() != Verbosity::Quiet && std::io::stderr().is_terminal();
        let thread = wanted.then(|| {
            let stop = Arc::clone(&stop);
            let message = message.to_owned();
            std::thread::spawn(move || {
                let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
                let mut frame = 0;
                while !stop.load(Ordering::Relaxed) {
                    let mut stderr = std::io::stderr().lock();
                    let _ = write!(stderr, "\r{:>12} {message}", frames[frame % frames.len()]);
                    let _ = stderr.flush();
                    drop(stderr);
                    frame += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                // Clear the line: the next status line takes its place.
                let mut stderr = std::io::stderr().lock();
                let _ = write!(stderr, "\r\x1b[2K");
                let _ = stderr.flush();
            })
        });
        Spinner { stop, thread }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
