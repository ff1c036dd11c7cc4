//! The short run: each target on its seeds and on inputs mutated from them, deterministic,
//! so `cargo test` fuzzes a little on every run with no engine, no nightly and no C++.
//! Not coverage-guided: the long run (`fuzz/run`, libFuzzer) is for depth.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a short run did.
#[derive(Debug)]
pub struct ShortRun {
    /// Inputs run, seeds included.
    pub inputs: usize,
    /// Seeds found.
    pub seeds: usize,
    /// The slowest input's time.
    pub slowest: Duration,
    /// The slowest input's size in bytes.
    pub slowest_len: usize,
}

/// Bytes that mean something to one of the targets' parsers, inserted by the mutator.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"null",
    b"true",
    b"false",
    b"0",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"\"2.0\"",
    b"\"1.0\"",
    b"\"version\":",
    b"\"httpMethod\":",
    b"\"routeKey\":",
    b"\"rawPath\":",
    b"\"isBase64Encoded\":true",
    b"\"body\":",
    b"\"requestContext\":",
    b"\"headers\":",
    b"\"multiValueHeaders\":",
    b"\"cookies\":",
    b"\"TOKEN\"",
    b"\"REQUEST\"",
    b"\"methodArn\":",
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n\r\n",
    b" ",
    b"\t",
    b"HTTP/1.1",
    b"HTTP/1.0",
    b"GET ",
    b"POST ",
    b"HEAD ",
    b"OPTIONS ",
    b"Host: x\r\n",
    b"Content-Length: ",
    b"Content-Length: 5, 5\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"0\r\n\r\n",
    b"Expect: 100-continue\r\n",
    b"Content-Type: application/json\r\n",
    b"Authorization: ",
    b"x-api-key: fuzz-key\r\n",
    b"Origin: https://example.com\r\n",
    b"Access-Control-Request-Method: PUT\r\n",
    b"/",
    b"//",
    b"%",
    b"%2F",
    b"%00",
    b"%ZZ",
    b"?",
    b"&",
    b"=",
    b"+",
    b"{",
    b"{x}",
    b"{proxy+}",
    b"/users/",
    b"/files/",
    b"/echo",
    b"/private/1",
    b"/typed/",
    b"\xff",
    b"\xc3\xa9",
    b"\xf0\x9f\x92\xa9",
];

/// Runs `target` on every seed of the directories `seeds` and on `mutations` inputs mutated
/// from them. A panic is re-raised with the input that caused it.
pub fn short_run(seeds: &[PathBuf], target: fn(&[u8]), mutations: usize) -> ShortRun {
    let corpus = load(seeds);
    assert!(!corpus.is_empty(), "no seeds in {seeds:?}");
    let mut run = ShortRun {
        inputs: 0,
        seeds: corpus.len(),
        slowest: Duration::ZERO,
        slowest_len: 0,
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut once = |input: &[u8]| {
        let started = Instant::now();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(input))) {
            let shown = String::from_utf8_lossy(input);
            eprintln_input(&format!(
                "the failing input ({} bytes): {shown:?}",
                input.len()
            ));
            resume_unwind(panic);
        }
        let took = started.elapsed();
        if took > run.slowest {
            run.slowest = took;
            run.slowest_len = input.len();
        }
        run.inputs += 1;
    };
    for input in &corpus {
        once(input);
    }
    for _ in 0..mutations {
        let mut input = corpus[rng.below(corpus.len())].clone();
        for _ in 0..=rng.below(4) {
            mutate(&mut input, &corpus, &mut rng);
        }
        once(&input);
    }
    run
}

#[allow(clippy::print_stderr)]
fn eprintln_input(text: &str) {
    eprintln!("{text}");
}

/// Every file in `dirs`, sorted by path, so runs are repeatable.
fn load(dirs: &[PathBuf]) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && !is_readme(path))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

fn is_readme(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.eq_ignore_ascii_case("README.md"))
}

fn mutate(input: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    let at = rng.below(input.len() + 1);
    match rng.below(6) {
        0 if !input.is_empty() => {
            let i = at.min(input.len() - 1);
            input[i] ^= 1 << rng.below(8);
        }
        1 if !input.is_empty() => {
            let i = at.min(input.len() - 1);
            input[i] = TOKENS[rng.below(TOKENS.len())][0];
        }
        2 => {
            let end = (at + 1 + rng.below(16)).min(input.len());
            input.drain(at.min(end)..end);
        }
        3 => {
            let end = (at + 1 + rng.below(64)).min(input.len());
            let copy = input[at.min(end)..end].to_vec();
            let to = rng.below(input.len() + 1);
            input.splice(to..to, copy);
        }
        4 => {
            let other = &corpus[rng.below(corpus.len())];
            let from = rng.below(other.len() + 1);
            input.truncate(at);
            input.extend_from_slice(&other[from..]);
        }
        _ => {
            let token = TOKENS[rng.below(TOKENS.len())];
            input.splice(at..at, token.iter().copied());
        }
    }
}

/// xorshift64: deterministic, and enough for picking mutations.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 {
            0
        } else {
            usize::try_from(self.0 % n as u64).unwrap_or(0)
        }
    }
}
