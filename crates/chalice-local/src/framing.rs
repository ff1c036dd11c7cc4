//! Where each request begins and ends in a connection's bytes, and whether its head is strict
//! HTTP/1.1.
//!
//! hyper parses requests with httparse, which takes a bare LF as the end of a line: `X-A:
//! a\nX-B: b` is two headers to it, where a strict HTTP/1.1 server (and API Gateway) refuses
//! the request. hyper offers no strict mode and does not show the raw head, so this scanner
//! reads the same bytes hyper reads, follows the message framing (`Content-Length`, chunked)
//! so that it knows which bytes are heads, and records the first head that used a bare LF.
//! The server answers that request 400 and closes the connection. Knowing where a request
//! ends also tells the connection when the client has sent all of it (the request timeout).
//!
//! It mirrors httparse and hyper where they are lenient (leading empty lines, `5, 5` lengths,
//! `Transfer-Encoding` over `Content-Length`); where the framing cannot be followed it stops
//! and refuses the request, so no later bytes on the connection pass unchecked.

/// How many bytes of a line are kept: enough for any `Content-Length`, `Transfer-Encoding`
/// or chunk-size line a real client sends.
const LINE_CAP: usize = 256;

/// Why a request's head was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A line of the head ends with LF alone.
    BareLf,
    /// Its `Content-Length` or `Transfer-Encoding` cannot be followed (too long a line, or
    /// a value hyper would refuse too).
    Framing,
}

/// The scanner's state for one connection.
pub(crate) struct Framing {
    state: State,
    /// The current line's first bytes, for the lines whose content matters (chunk sizes,
    /// and head lines that may be `Content-Length` or `Transfer-Encoding`).
    line: [u8; LINE_CAP],
    /// Whether the current line is kept in `line`.
    keep: bool,
    /// The current line's length so far, and how much of it is kept.
    line_len: usize,
    kept: usize,
    /// The last byte seen was CR (so an LF after it ends a line properly).
    after_cr: bool,
    /// Heads started on this connection; the current one is number `heads`.
    heads: u64,
    /// Bumped whenever a request starts or ends.
    generation: u64,
    /// The current head's framing headers.
    head: HeadFraming,
    /// The first refused head: its number and why.
    refused: Option<(u64, Refusal)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before a request's first byte; empty lines are skipped, as httparse does.
    Between,
    /// In a head; the request line comes first.
    Head { request_line: bool },
    /// In a body of known length: that many bytes to go.
    Body(u64),
    /// In a chunk-size line.
    ChunkSize,
    /// In a chunk's data: that many bytes to go.
    ChunkData(u64),
    /// The line end after a chunk's data.
    ChunkEnd,
    /// In the trailer lines after the last chunk.
    Trailers,
    /// The framing could not be followed: nothing more is scanned.
    Lost,
}

#[derive(Debug, Default, Clone, Copy)]
struct HeadFraming {
    content_length: Option<u64>,
    transfer_encoding: bool,
    chunked: bool,
    invalid: bool,
}

impl Framing {
    pub(crate) fn new() -> Self {
        Framing {
            state: State::Between,
            line: [0; LINE_CAP],
            keep: false,
            line_len: 0,
            kept: 0,
            after_cr: false,
            heads: 0,
            generation: 0,
            head: HeadFraming::default(),
            refused: None,
        }
    }

    /// Whether a request has begun and not all of it has arrived.
    pub(crate) fn in_request(&self) -> bool {
        self.state != State::Between
    }

    /// Whether the bytes awaited are a head's.
    pub(crate) fn in_head(&self) -> bool {
        matches!(self.state, State::Head { .. })
    }

    /// Changes whenever a request starts or ends.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// The first refused head: its number (from 1, in the order requests arrive) and why.
    pub(crate) fn refused(&self) -> Option<(u64, Refusal)> {
        self.refused
    }

    /// Scans the next bytes of the connection.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.state {
                State::Between => {
                    let skip = bytes
                        .iter()
                        .position(|&b| b != b'\r' && b != b'\n')
                        .unwrap_or(bytes.len());
                    if skip > 0 {
                        self.after_cr = bytes[skip - 1] == b'\r';
                        bytes = &bytes[skip..];
                        continue;
                    }
                    self.heads += 1;
                    self.generation += 1;
                    self.head = HeadFraming::default();
                    self.state = State::Head { request_line: true };
                }
                State::Body(left) | State::ChunkData(left) => {
                    let n = usize::try_from(left).map_or(bytes.len(), |l| l.min(bytes.len()));
                    bytes = &bytes[n..];
                    let left = left - n as u64;
                    self.state = match (self.state, left) {
                        (State::Body(_), 0) => self.end_request(),
                        (State::Body(_), _) => State::Body(left),
                        (_, 0) => State::ChunkEnd,
                        _ => State::ChunkData(left),
                    };
                    self.after_cr = false;
                }
                State::Lost => return,
                State::Head { .. } | State::ChunkSize | State::ChunkEnd | State::Trailers => {
                    bytes = self.feed_line(bytes);
                }
            }
        }
    }

    /// Adds bytes to the current line; at its end, acts on it. Returns what is left.
    fn feed_line<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let (part, rest, complete) = match memchr::memchr(b'\n', bytes) {
            Some(end) => (&bytes[..end], &bytes[end + 1..], true),
            None => (bytes, &[][..], false),
        };
        if self.line_len == 0 {
            // Only a few lines are read for their content; the rest are only checked for
            // their end (this runs on every request's head, so it must stay cheap).
            self.keep = match self.state {
                State::ChunkSize => true,
                State::Head {
                    request_line: false,
                } => matches!(part.first(), Some(b'c' | b'C' | b't' | b'T')),
                _ => false,
            };
        }
        if self.keep {
            let kept = part.len().min(LINE_CAP - self.kept);
            self.line[self.kept..self.kept + kept].copy_from_slice(&part[..kept]);
            self.kept += kept;
        }
        self.line_len += part.len();
        let ends_with_cr = match part.last() {
            Some(&last) => last == b'\r',
            None => self.after_cr,
        };
        if !complete {
            self.after_cr = ends_with_cr;
            return rest;
        }
        self.after_cr = false;
        // The line without its CR.
        let len = self.line_len - usize::from(ends_with_cr);
        let kept = self.kept.min(len);
        let overflow = len > kept;
        self.line_len = 0;
        self.kept = 0;
        self.on_line(len == 0, kept, overflow, !ends_with_cr);
        rest
    }

    /// Acts on a complete line: `empty` or not, the first `kept` bytes of it in `line` (when
    /// kept; `overflow` when it was longer), ended with a bare LF or not.
    fn on_line(&mut self, empty: bool, kept: usize, overflow: bool, bare_lf: bool) {
        let keep = self.keep;
        match self.state {
            State::Head { request_line } => {
                if bare_lf {
                    self.refuse(Refusal::BareLf);
                }
                if request_line {
                    self.state = State::Head {
                        request_line: false,
                    };
                } else if empty {
                    self.state = self.end_head();
                } else if keep {
                    self.header_line(kept, overflow);
                }
            }
            State::ChunkSize => {
                self.state = match chunk_size(&self.line[..kept]) {
                    Some(_) if overflow => State::Lost,
                    Some(0) => State::Trailers,
                    Some(size) => State::ChunkData(size),
                    None => State::Lost,
                };
            }
            State::ChunkEnd => {
                self.state = if empty { State::ChunkSize } else { State::Lost };
            }
            State::Trailers if empty => self.state = self.end_request(),
            _ => {}
        }
    }

    /// A header line of the current head: records `Content-Length` and `Transfer-Encoding`.
    fn header_line(&mut self, len: usize, overflow: bool) {
        let line = &self.line[..len];
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return;
        };
        let name = &line[..colon];
        let is_length = name.eq_ignore_ascii_case(b"content-length");
        let is_encoding = name.eq_ignore_ascii_case(b"transfer-encoding");
        if !is_length && !is_encoding {
            return;
        }
        if overflow {
            self.head.invalid = true;
            return;
        }
        let value = &line[colon + 1..];
        if is_length {
            for part in value.split(|&b| b == b',') {
                match (content_length(part), self.head.content_length) {
                    (Some(n), None) => self.head.content_length = Some(n),
                    (Some(n), Some(m)) if n == m => {}
                    _ => self.head.invalid = true,
                }
            }
        } else {
            // hyper decides on the last coding of the last `Transfer-Encoding` line.
            self.head.transfer_encoding = true;
            let last = value.rsplit(|&b| b == b',').next().unwrap_or_default();
            self.head.chunked = trim(last).eq_ignore_ascii_case(b"chunked");
        }
    }

    fn end_head(&mut self) -> State {
        let head = self.head;
        if head.invalid || (head.transfer_encoding && !head.chunked) {
            self.refuse(Refusal::Framing);
            return State::Lost;
        }
        match (head.transfer_encoding, head.content_length) {
            (true, _) => State::ChunkSize,
            (false, Some(length)) if length > 0 => State::Body(length),
            _ => self.end_request(),
        }
    }

    fn end_request(&mut self) -> State {
        self.generation += 1;
        State::Between
    }

    fn refuse(&mut self, why: Refusal) {
        if self.refused.is_none() {
            self.refused = Some((self.heads, why));
        }
    }
}

fn trim(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// A `Content-Length` value: digits only, as hyper reads it.
fn content_length(value: &[u8]) -> Option<u64> {
    let digits = trim(value);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// A chunk-size line's size: hex digits, then optional extensions.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = trim(&line[digits..]);
    if !(rest.is_empty() || rest[0] == b';') {
        return None;
    }
    line[..digits].iter().try_fold(0u64, |n, &d| {
        let digit = char::from(d).to_digit(16)?;
        Some((n << 4) | u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of `step` bytes; the refusal and whether a request is open.
    fn scan(input: &[u8], step: usize) -> (Option<(u64, Refusal)>, bool, u64) {
        let mut framing = Framing::new();
        for piece in input.chunks(step) {
            framing.feed(piece);
        }
        (framing.refused(), framing.in_request(), framing.heads)
    }

    #[test]
    fn heads_and_bodies() {
        use Refusal::*;
        let cases: &[(&str, Option<(u64, Refusal)>, bool, u64)] = &[
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", None, false, 1),
            ("GET / HTTP/1.1\r\nHost: x\r\n", None, true, 1),
            ("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", None, false, 1),
            (
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\nX-B: b\r\n\r\n",
                Some((1, BareLf)),
                false,
                1,
            ),
            ("GET / HTTP/1.1\nHost: x\n\n", Some((1, BareLf)), false, 1),
            (
                "GET / HTTP/1.1\r\nHost: x\r\n\n",
                Some((1, BareLf)),
                false,
                1,
            ),
            // A body's LFs are the body's business.
            (
                "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n{\n}\n\nGET / HTTP/1.1\r\n\r\n",
                None,
                false,
                2,
            ),
            (
                "POST / HTTP/1.1\r\ncontent-length: 5, 5\r\n\r\na\nb\ncGET / HTTP/1.1\nX: y\r\n\r\n",
                Some((2, BareLf)),
                false,
                2,
            ),
            (
                "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
                None,
                true,
                1,
            ),
            (
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na\nb\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                None,
                false,
                2,
            ),
            (
                "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n1;ext=1\r\n\n\r\n0\r\nX-T: 1\r\n\r\nGET / HTTP/1.1\nA: b\r\n\r\n",
                Some((2, BareLf)),
                false,
                2,
            ),
            (
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123",
                None,
                true,
                1,
            ),
            (
                "POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n",
                Some((1, Framing)),
                true,
                1,
            ),
            (
                "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                Some((1, Framing)),
                true,
                1,
            ),
            (
                "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                Some((1, Framing)),
                true,
                1,
            ),
            (
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET / HTTP/1.1\nA: b\r\n\r\n",
                None,
                true,
                1,
            ),
        ];
        for &(input, refused, open, heads) in cases {
            for step in [1, 2, 3, 7, input.len()] {
                assert_eq!(
                    scan(input.as_bytes(), step),
                    (refused, open, heads),
                    "{input:?} in pieces of {step}"
                );
            }
        }
    }

    #[test]
    fn long_framing_lines_are_refused_and_other_long_lines_are_not() {
        let long = "a".repeat(1000);
        let ok = format!("GET / HTTP/1.1\r\nCookie: {long}\r\nX-Long: {long}\n\r\n");
        assert_eq!(
            scan(ok.as_bytes(), 5).0,
            Some((1, Refusal::BareLf)),
            "a bare LF after an overflowing line is still seen"
        );
        let ok = format!("GET /{long} HTTP/1.1\r\nCookie: {long}\r\n\r\n");
        assert_eq!(scan(ok.as_bytes(), 5), (None, false, 1));
        let bad = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}1\r\n\r\n",
            " ".repeat(300)
        );
        assert_eq!(scan(bad.as_bytes(), 5).0, Some((1, Refusal::Framing)));
    }

    #[test]
    fn values() {
        assert_eq!(content_length(b" 42 "), Some(42));
        assert_eq!(content_length(b"+1"), None);
        assert_eq!(content_length(b"99999999999999999999"), None);
        assert_eq!(content_length(b""), None);
        assert_eq!(chunk_size(b"1f"), Some(31));
        assert_eq!(chunk_size(b"1F ; name=value"), Some(31));
        assert_eq!(chunk_size(b"x"), None);
        assert_eq!(chunk_size(b"10000000000000000"), None);
    }
}
