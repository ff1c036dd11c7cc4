//! [`ConnectionInfo`]: what API Gateway knows of a connection, and the times it writes.

use serde::Deserialize;

/// What API Gateway knows of a connection (the answer of `GetConnection`).
///
/// ```
/// use chalice_core::ConnectionInfo;
///
/// let info = ConnectionInfo::from_json(br#"{"connectedAt": "2024-02-09T18:23:27.396Z",
///     "identity": {"sourceIp": "192.0.2.1", "userAgent": "Mozilla/5.0"},
///     "lastActiveAt": "2024-02-09T18:23:28.941Z"}"#).unwrap();
/// assert_eq!(info.source_ip, "192.0.2.1");
/// assert_eq!(info.connected_at, "2024-02-09T18:23:27.396Z");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// When the connection opened (ISO 8601, UTC).
    pub connected_at: String,
    /// When a message last went through it (ISO 8601, UTC).
    pub last_active_at: String,
    /// The client's IP address.
    pub source_ip: String,
    /// The client's `User-Agent`, if it sent one.
    pub user_agent: Option<String>,
}

impl ConnectionInfo {
    /// Information from epoch milliseconds (written as API Gateway writes them), for
    /// backends that keep their own connections.
    pub fn new(
        connected_at_ms: u64,
        last_active_at_ms: u64,
        source_ip: impl Into<String>,
        user_agent: Option<String>,
    ) -> Self {
        ConnectionInfo {
            connected_at: iso8601(connected_at_ms),
            last_active_at: iso8601(last_active_at_ms),
            source_ip: source_ip.into(),
            user_agent,
        }
    }

    /// Reads `GetConnection`'s JSON answer (`connectedAt`, `lastActiveAt`, `identity`).
    ///
    /// # Errors
    ///
    /// JSON not of that shape.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            connected_at: Time,
            last_active_at: Time,
            identity: Identity,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Identity {
            source_ip: String,
            #[serde(default)]
            user_agent: Option<String>,
        }
        /// ISO 8601 text, as API Gateway writes it; epoch seconds, as emulators do.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Time {
            Text(String),
            Seconds(f64),
        }
        impl Time {
            fn text(self) -> String {
                match self {
                    Time::Text(text) => text,
                    // Whole milliseconds of a positive time: the cast cannot lose more.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Time::Seconds(seconds) => iso8601((seconds.max(0.0) * 1000.0) as u64),
                }
            }
        }
        let wire: Wire = serde_json::from_slice(body)?;
        Ok(ConnectionInfo {
            connected_at: wire.connected_at.text(),
            last_active_at: wire.last_active_at.text(),
            source_ip: wire.identity.source_ip,
            user_agent: wire.identity.user_agent,
        })
    }
}

/// `2024-02-09T18:23:27.396Z` for milliseconds since the epoch, as `GetConnection` writes
/// times.
fn iso8601(epoch_ms: u64) -> String {
    let t = Civil::from_epoch_ms(epoch_ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

/// A UTC time's calendar parts.
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u64,
    pub(crate) day: u64,
    pub(crate) hour: u64,
    pub(crate) minute: u64,
    pub(crate) second: u64,
    pub(crate) millis: u64,
}

impl Civil {
    /// The calendar parts of a time in milliseconds since the epoch.
    pub(crate) fn from_epoch_ms(epoch_ms: u64) -> Self {
        let seconds = epoch_ms / 1000;
        let of_day = seconds % 86_400;
        let (year, month, day) = crate::civil::civil_from_days(seconds / 86_400);
        Civil {
            year: i64::from(year),
            month: u64::from(month),
            day: u64::from(day),
            hour: of_day / 3600,
            minute: (of_day / 60) % 60,
            second: of_day % 60,
            millis: epoch_ms % 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_api_gateway_writes_them() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_707_503_007_396, "2024-02-09T18:23:27.396Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        ];
        for (ms, text) in cases {
            assert_eq!(iso8601(ms), text, "{ms}");
        }
    }
}
