//! Times for `chalice logs`: `--since` read, log timestamps written, both in UTC
//! milliseconds since the Unix epoch (CloudWatch Logs' unit). The calendar arithmetic is
//! Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>): a date crate for two
//! conversions would be more to build than this.

use crate::UsageError;

const MS_PER_DAY: i64 = 86_400_000;

/// The time `--since` names: a duration back from `now` (`30s`, `5m`, `2h`, `1d`, `1w`),
/// or a UTC time (`2024-05-01`, `2024-05-01T12:00`, `2024-05-01T12:00:00.5Z`,
/// `2024-05-01T12:00:00+02:00`).
pub(crate) fn parse_since(text: &str, now: i64) -> Result<i64, UsageError> {
    let mistake = || {
        UsageError(format!(
            "--since {text:?}: give a duration back from now (30s, 5m, 2h, 1d, 1w) or a time \
             (2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T12:00:00+02:00)"
        ))
    };
    let text = text.trim();
    if let Some(unit) = text.chars().last().filter(char::is_ascii_alphabetic)
        && !text.contains('-')
    {
        let amount: i64 = text[..text.len() - 1].parse().map_err(|_| mistake())?;
        let unit_ms = match unit {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => MS_PER_DAY,
            'w' => 7 * MS_PER_DAY,
            _ => return Err(mistake()),
        };
        return Ok(now - amount.checked_mul(unit_ms).ok_or_else(mistake)?);
    }
    parse_time(text).ok_or_else(mistake)
}

/// An ISO 8601 / RFC 3339 time (date, optional time, optional `Z` or offset) in UTC ms.
fn parse_time(text: &str) -> Option<i64> {
    let (date, rest) = match text.split_once(['T', ' ']) {
        Some((date, rest)) => (date, rest),
        None => (text, ""),
    };
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: u32 = date_parts.next()?.parse().ok()?;
    let day: u32 = date_parts.next()?.parse().ok()?;
    if date_parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_ms) = split_offset(rest)?;
    let mut millis = 0;
    if !clock.is_empty() {
        let mut parts = clock.split(':');
        let hours: i64 = parts.next()?.parse().ok()?;
        let minutes: i64 = parts.next()?.parse().ok()?;
        let seconds: f64 = match parts.next() {
            Some(seconds) => seconds.parse().ok()?,
            None => 0.0,
        };
        if parts.next().is_some() || hours > 23 || minutes > 59 || !(0.0..61.0).contains(&seconds) {
            return None;
        }
        millis = hours * 3_600_000 + minutes * 60_000 + (seconds * 1000.0).round() as i64;
    }
    Some(days_from_civil(year, month, day) * MS_PER_DAY + millis - offset_ms)
}

/// `12:00:00+02:00` → (`12:00:00`, 2 h in ms); `Z` or nothing is UTC.
fn split_offset(clock: &str) -> Option<(&str, i64)> {
    if let Some(clock) = clock.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = clock.rfind(['+', '-']) else {
        return Some((clock, 0));
    };
    let sign = if clock[at..].starts_with('-') { -1 } else { 1 };
    let (hours, minutes) = clock[at + 1..].split_once(':')?;
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    Some((&clock[..at], sign * (hours * 3_600_000 + minutes * 60_000)))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A UTC timestamp in ms as RFC 3339 with milliseconds: `2024-05-01T12:00:00.000Z`.
pub(crate) fn format_timestamp(millis: i64) -> String {
    let days = millis.div_euclid(MS_PER_DAY);
    let in_day = millis.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// Now, in UTC ms.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-05-01T12:00:00Z.
    const NOON: i64 = 1_714_564_800_000;

    #[test]
    fn since_reads_durations_and_times() {
        let cases: &[(&str, Option<i64>)] = &[
            ("30s", Some(NOON - 30_000)),
            ("5m", Some(NOON - 300_000)),
            ("2h", Some(NOON - 7_200_000)),
            ("1d", Some(NOON - MS_PER_DAY)),
            ("1w", Some(NOON - 7 * MS_PER_DAY)),
            ("2024-05-01", Some(NOON - 12 * 3_600_000)),
            ("2024-05-01T12:00:00Z", Some(NOON)),
            ("2024-05-01T12:00", Some(NOON)),
            ("2024-05-01 12:00:00.250Z", Some(NOON + 250)),
            ("2024-05-01T14:00:00+02:00", Some(NOON)),
            ("2024-05-01T07:30:00-04:30", Some(NOON)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2000-02-29", Some(951_782_400_000)),
            ("5x", None),
            ("m", None),
            ("yesterday", None),
            ("2024-13-01", None),
            ("2024-05-01T25:00:00Z", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_since(text, NOON).ok(), *expected, "{text}");
        }
        let error = parse_since("soon", NOON).expect_err("not a time").0;
        assert!(
            error.starts_with("--since \"soon\": give a duration"),
            "{error}"
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let cases = [
            (NOON, "2024-05-01T12:00:00.000Z"),
            (NOON + 1_234, "2024-05-01T12:00:01.234Z"),
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ];
        for (millis, text) in cases {
            assert_eq!(format_timestamp(millis), text);
            assert_eq!(parse_time(text), Some(millis), "{text} reads back");
        }
    }
}
