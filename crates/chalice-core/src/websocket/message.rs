//! [`WebsocketMessage`]: one WebSocket message, text or binary, as a client sends it and as
//! the app sends it back.

use bytes::Bytes;

/// One WebSocket message: a text frame or a binary frame.
///
/// It is the body of a message event ([`crate::WebsocketEvent::body`]) and what
/// [`crate::WebsocketApi::send`] sends: text from `&str` or `String`, binary from bytes.
///
/// ```
/// use chalice_core::WebsocketMessage;
///
/// let text = WebsocketMessage::from("hello");
/// assert_eq!(text.as_text(), Some("hello"));
/// assert!(!text.is_binary());
///
/// let binary = WebsocketMessage::from(vec![0xff, 0x00]);
/// assert_eq!(binary.as_bytes(), [0xff, 0x00]);
/// assert_eq!(binary.as_text(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebsocketMessage {
    /// A text frame (UTF-8).
    Text(String),
    /// A binary frame.
    Binary(Bytes),
}

impl WebsocketMessage {
    /// The message's bytes (a text message's UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            WebsocketMessage::Text(text) => text.as_bytes(),
            WebsocketMessage::Binary(bytes) => bytes,
        }
    }

    /// The text of a text message; `None` for a binary one.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            WebsocketMessage::Text(text) => Some(text),
            WebsocketMessage::Binary(_) => None,
        }
    }

    /// Whether it is a binary message.
    pub fn is_binary(&self) -> bool {
        matches!(self, WebsocketMessage::Binary(_))
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The message's bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        match self {
            WebsocketMessage::Text(text) => Bytes::from(text),
            WebsocketMessage::Binary(bytes) => bytes,
        }
    }
}

impl Default for WebsocketMessage {
    fn default() -> Self {
        WebsocketMessage::Text(String::new())
    }
}

impl From<&str> for WebsocketMessage {
    fn from(text: &str) -> Self {
        WebsocketMessage::Text(text.to_owned())
    }
}

impl From<String> for WebsocketMessage {
    fn from(text: String) -> Self {
        WebsocketMessage::Text(text)
    }
}

impl From<&String> for WebsocketMessage {
    fn from(text: &String) -> Self {
        WebsocketMessage::Text(text.clone())
    }
}

impl From<Bytes> for WebsocketMessage {
    fn from(bytes: Bytes) -> Self {
        WebsocketMessage::Binary(bytes)
    }
}

impl From<Vec<u8>> for WebsocketMessage {
    fn from(bytes: Vec<u8>) -> Self {
        WebsocketMessage::Binary(Bytes::from(bytes))
    }
}

impl From<&[u8]> for WebsocketMessage {
    fn from(bytes: &[u8]) -> Self {
        WebsocketMessage::Binary(Bytes::copy_from_slice(bytes))
    }
}

impl<const N: usize> From<&[u8; N]> for WebsocketMessage {
    fn from(bytes: &[u8; N]) -> Self {
        WebsocketMessage::Binary(Bytes::copy_from_slice(bytes))
    }
}
