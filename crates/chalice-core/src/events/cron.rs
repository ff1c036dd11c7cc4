//! EventBridge's cron expressions: parsing with EventBridge's rules, and the next time one
//! fires, in UTC.
//!
//! Six fields: minutes, hours, day of month, month, day of week, year
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html>).
//! Each takes `*`, values, `a-b` ranges and `/` steps, comma-separated; months and days of
//! the week also take names (`JAN`, `MON`); day of month takes `L` (the last day), `LW`
//! (the last weekday) and `15W` (the weekday nearest the 15th); day of week (1 is Sunday)
//! takes `L` (Saturday), `6L` (the month's last Friday) and `2#1` (its first Monday).
//! Exactly one of the two day fields is `?`.
//!
//! The crates that evaluate cron expressions read Unix's five fields or Quartz's seven
//! (with seconds), each with its own reading of `?`, `L` and `#` and its own date library;
//! EventBridge's six fields, with its rules, are a small grammar, evaluated here with plain
//! day arithmetic.

use std::fmt;

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CronSpec {
    minutes: u64,
    hours: u32,
    months: u16,
    years: Vec<u16>,
    days: Days,
}

/// The two day fields, one of which is `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Days {
    OfMonth(Vec<MonthDay>),
    OfWeek(Vec<WeekDay>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MonthDay {
    Day(u32),
    Last,
    LastWeekday,
    NearestWeekday(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekDay {
    /// 1 (Sunday) to 7 (Saturday).
    Day(u32),
    /// The month's last such day.
    Last(u32),
    /// The month's `n`th such day.
    Nth(u32, u32),
}

/// Why an expression is not one EventBridge accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CronError(pub(crate) String);

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2199;

impl CronSpec {
    /// Parses the six fields (the text inside `cron(...)`).
    pub(crate) fn parse(fields: &str) -> Result<Self, CronError> {
        let parts: Vec<&str> = fields.split_whitespace().collect();
        let [minutes, hours, day_of_month, month, day_of_week, year] = parts[..] else {
            return Err(CronError(format!(
                "a cron expression has six fields (minutes hours day-of-month month \
                 day-of-week year), this one has {}",
                parts.len()
            )));
        };
        let minutes = bits(&values(minutes, "minutes", 0, 59, &[])?);
        let hours = bits(&values(hours, "hours", 0, 23, &[])?) as u32;
        let months = bits(&values(month, "month", 1, 12, &MONTHS)?) as u16;
        let years = values(year, "year", FIRST_YEAR, LAST_YEAR, &[])?
            .into_iter()
            .map(|y| y as u16)
            .collect();
        let days = match (day_of_month, day_of_week) {
            ("?", "?") => {
                return Err(CronError(
                    "day-of-month and day-of-week can't both be '?': one of them says which \
                     days"
                        .to_owned(),
                ));
            }
            (dom, "?") => Days::OfMonth(month_days(dom)?),
            ("?", dow) => Days::OfWeek(week_days(dow)?),
            _ => {
                return Err(CronError(
                    "day-of-month and day-of-week can't both be set: use '?' in one of them \
                     (cron(0 12 * * ? *) runs daily)"
                        .to_owned(),
                ));
            }
        };
        Ok(CronSpec {
            minutes,
            hours,
            months,
            years,
            days,
        })
    }

    /// The first minute strictly after `after` (seconds since the Unix epoch, UTC) at which
    /// the expression fires, in seconds since the epoch; `None` if it never fires again.
    pub(crate) fn next_after(&self, after: u64) -> Option<u64> {
        // The next whole minute.
        let start = (after / 60 + 1) * 60;
        let mut day = start / 86_400;
        let mut minute_of_day = (start % 86_400 / 60) as u32;
        loop {
            let (year, month, dom) = crate::civil::civil_from_days(day);
            if year > LAST_YEAR {
                return None;
            }
            if self.years.binary_search(&(year as u16)).is_ok()
                && self.months & (1 << month) != 0
                && self.day_matches(year, month, dom, day)
                && let Some(minute) = self.first_minute_from(minute_of_day)
            {
                return Some(day * 86_400 + u64::from(minute) * 60);
            }
            day += 1;
            minute_of_day = 0;
        }
    }

    fn first_minute_from(&self, from: u32) -> Option<u32> {
        (from..24 * 60)
            .find(|m| self.hours & (1 << (m / 60)) != 0 && self.minutes & (1 << (m % 60)) != 0)
    }

    fn day_matches(&self, year: u32, month: u32, dom: u32, day: u64) -> bool {
        let last = days_in_month(year, month);
        // 1 (Sunday) to 7 (Saturday); 1970-01-01 was a Thursday.
        let weekday = ((day + 4) % 7) as u32 + 1;
        match &self.days {
            Days::OfMonth(items) => items.iter().any(|item| match *item {
                MonthDay::Day(d) => d == dom,
                MonthDay::Last => dom == last,
                MonthDay::LastWeekday => {
                    let last_weekday = day - u64::from(dom) + u64::from(last);
                    dom == nearest_weekday(last, last, weekday_of(last_weekday))
                }
                MonthDay::NearestWeekday(d) => {
                    d <= last
                        && dom
                            == nearest_weekday(
                                d,
                                last,
                                weekday_of(day - u64::from(dom) + u64::from(d)),
                            )
                }
            }),
            Days::OfWeek(items) => items.iter().any(|item| match *item {
                WeekDay::Day(w) => w == weekday,
                WeekDay::Last(w) => w == weekday && dom + 7 > last,
                WeekDay::Nth(w, n) => w == weekday && (dom - 1) / 7 + 1 == n,
            }),
        }
    }
}

fn weekday_of(day: u64) -> u32 {
    ((day + 4) % 7) as u32 + 1
}

/// The weekday nearest the `d`th of a month of `last` days, without leaving the month, given
/// the `d`th's day of the week (1 Sunday ... 7 Saturday).
fn nearest_weekday(d: u32, last: u32, weekday: u32) -> u32 {
    match weekday {
        7 if d == 1 => 3,
        7 => d - 1,
        1 if d == last => d - 2,
        1 => d + 1,
        _ => d,
    }
}

/// Parses a comma-separated field of numbers (or names) in `min..=max` into its values.
fn values(
    field: &str,
    name: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<Vec<u32>, CronError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    CronError(format!(
                        "{name}: the step in '{item}' is not a positive number"
                    ))
                })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (low, high) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(a, name, min, max, names)?,
                value(b, name, min, max, names)?,
            )
        } else {
            let v = value(range, name, min, max, names)?;
            // `5/15` runs from 5 to the end in steps of 15.
            (v, if item.contains('/') { max } else { v })
        };
        if low > high {
            return Err(CronError(format!(
                "{name}: the range '{range}' ends before it starts"
            )));
        }
        out.extend((low..=high).step_by(step as usize));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

fn value(text: &str, name: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, CronError> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(min + i as u32);
    }
    match text.parse::<u32>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v),
        Ok(v) => Err(CronError(format!(
            "{name}: {v} is out of range ({min}-{max})"
        ))),
        Err(_) => Err(CronError(format!(
            "{name}: '{text}' is not a value{}",
            if names.is_empty() {
                format!(" ({min}-{max})")
            } else {
                format!(" ({min}-{max} or {}-{})", names[0], names[names.len() - 1])
            }
        ))),
    }
}

fn bits(values: &[u32]) -> u64 {
    values.iter().fold(0, |acc, v| acc | 1 << v)
}

fn month_days(field: &str) -> Result<Vec<MonthDay>, CronError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        if item.eq_ignore_ascii_case("L") {
            out.push(MonthDay::Last);
        } else if item.eq_ignore_ascii_case("LW") {
            out.push(MonthDay::LastWeekday);
        } else if let Some(day) = item.strip_suffix(['W', 'w']) {
            out.push(MonthDay::NearestWeekday(value(
                day,
                "day-of-month",
                1,
                31,
                &[],
            )?));
        } else {
            out.extend(
                values(item, "day-of-month", 1, 31, &[])?
                    .into_iter()
                    .map(MonthDay::Day),
            );
        }
    }
    Ok(out)
}

fn week_days(field: &str) -> Result<Vec<WeekDay>, CronError> {
    let mut out = Vec::new();
    for item in field.split(',') {
        if item.eq_ignore_ascii_case("L") {
            out.push(WeekDay::Day(7));
        } else if let Some(day) = item.strip_suffix(['L', 'l']) {
            out.push(WeekDay::Last(value(day, "day-of-week", 1, 7, &WEEKDAYS)?));
        } else if let Some((day, nth)) = item.split_once('#') {
            let day = value(day, "day-of-week", 1, 7, &WEEKDAYS)?;
            let nth = nth
                .parse()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| {
                    CronError(format!(
                        "day-of-week: in '{item}', the number after '#' is not 1-5"
                    ))
                })?;
            out.push(WeekDay::Nth(day, nth));
        } else {
            out.extend(
                values(item, "day-of-week", 1, 7, &WEEKDAYS)?
                    .into_iter()
                    .map(WeekDay::Day),
            );
        }
    }
    Ok(out)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds since the epoch of a UTC date and time (for readable test tables).
    fn at(date: &str) -> u64 {
        let (ymd, hm) = date.split_once(' ').unwrap_or((date, "00:00"));
        let p: Vec<u64> = ymd.split('-').map(|v| v.parse().unwrap_or(0)).collect();
        let t: Vec<u64> = hm.split(':').map(|v| v.parse().unwrap_or(0)).collect();
        let (y, m, d) = (p[0], p[1], p[2]);
        // days_from_civil, the inverse of civil_from_days.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y / 400;
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400 + t[0] * 3600 + t[1] * 60
    }

    #[test]
    fn next_firings_follow_eventbridge() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "0 12 * * ? *",
                "2024-01-01 12:00",
                &["2024-01-02 12:00", "2024-01-03 12:00"],
            ),
            (
                "0/15 * * * ? *",
                "2024-01-01 10:07",
                &["2024-01-01 10:15", "2024-01-01 10:30"],
            ),
            (
                "5,35 14 * * ? *",
                "2024-01-01 14:05",
                &["2024-01-01 14:35", "2024-01-02 14:05"],
            ),
            // Weekdays at 18:00: Friday 2024-01-05, then Monday.
            (
                "0 18 ? * MON-FRI *",
                "2024-01-05 17:00",
                &["2024-01-05 18:00", "2024-01-08 18:00"],
            ),
            (
                "0 8 1 * ? *",
                "2024-01-15 00:00",
                &["2024-02-01 08:00", "2024-03-01 08:00"],
            ),
            // The last day of the month, leap February included.
            (
                "0 0 L * ? *",
                "2024-01-31 00:00",
                &["2024-02-29 00:00", "2024-03-31 00:00"],
            ),
            // The last weekday: 2024-03-31 is a Sunday, 2024-08-31 a Saturday.
            (
                "0 0 LW 3,8 ? *",
                "2024-01-01 00:00",
                &["2024-03-29 00:00", "2024-08-30 00:00"],
            ),
            // Nearest weekday to the 1st: 2024-06-01 is a Saturday, so Monday the 3rd.
            (
                "0 0 1W 6 ? *",
                "2024-01-01 00:00",
                &["2024-06-03 00:00", "2025-06-02 00:00"],
            ),
            // The month's last Friday, its second Tuesday.
            (
                "0 0 ? * 6L *",
                "2024-01-01 00:00",
                &["2024-01-26 00:00", "2024-02-23 00:00"],
            ),
            (
                "0 0 ? * 3#2 *",
                "2024-01-01 00:00",
                &["2024-01-09 00:00", "2024-02-13 00:00"],
            ),
            (
                "0 10 ? * SUN 2025",
                "2024-06-01 00:00",
                &["2025-01-05 10:00", "2025-01-12 10:00"],
            ),
            // 30 February never comes.
            ("0 0 30 2 ? *", "2024-01-01 00:00", &[]),
        ];
        for (expression, from, expected) in cases {
            let spec = CronSpec::parse(expression).unwrap_or_else(|e| panic!("{expression}: {e}"));
            let mut now = at(from);
            let mut got = Vec::new();
            for _ in 0..expected.len().max(1) {
                match spec.next_after(now) {
                    Some(next) => {
                        got.push(next);
                        now = next;
                    }
                    None => break,
                }
            }
            let expected: Vec<u64> = expected.iter().map(|d| at(d)).collect();
            assert_eq!(got, expected, "{expression} from {from}");
        }
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (
                "0 12 * *",
                "a cron expression has six fields (minutes hours day-of-month month day-of-week year), this one has 4",
            ),
            ("60 12 * * ? *", "minutes: 60 is out of range (0-59)"),
            (
                "0 12 * * * *",
                "day-of-month and day-of-week can't both be set: use '?' in one of them (cron(0 12 * * ? *) runs daily)",
            ),
            (
                "0 12 ? * ? *",
                "day-of-month and day-of-week can't both be '?': one of them says which days",
            ),
            (
                "0 12 * FOO ? *",
                "month: 'FOO' is not a value (1-12 or JAN-DEC)",
            ),
            (
                "0 12 ? * 2#6 *",
                "day-of-week: in '2#6', the number after '#' is not 1-5",
            ),
            (
                "0/0 12 * * ? *",
                "minutes: the step in '0/0' is not a positive number",
            ),
            (
                "0 20-10 * * ? *",
                "hours: the range '20-10' ends before it starts",
            ),
            ("0 0 * * ? 1969", "year: 1969 is out of range (1970-2199)"),
        ];
        for (expression, message) in cases {
            assert_eq!(
                CronSpec::parse(expression).map(|_| ()),
                Err(CronError(message.to_owned())),
                "{expression}"
            );
        }
    }
}
