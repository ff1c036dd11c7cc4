//! Schedule expressions: [`Rate`] and [`Cron`] builders, raw `rate(...)` / `cron(...)`
//! text, and [`Schedule`], a validated expression that says when it next fires.

use std::fmt;

use super::cron::CronSpec;

/// How often a scheduled handler runs: every so many minutes, hours or days (Chalice's
/// `Rate`).
///
/// ```
/// use chalice_core::Rate;
///
/// assert_eq!(Rate::minutes(5).to_string(), "rate(5 minutes)");
/// assert_eq!(Rate::hours(1).to_string(), "rate(1 hour)");
/// assert_eq!(Rate::days(2).to_string(), "rate(2 days)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    value: u32,
    unit: RateUnit,
}

/// The unit of a [`Rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl Rate {
    /// Every `value` `unit`s.
    pub const fn new(value: u32, unit: RateUnit) -> Self {
        Rate { value, unit }
    }

    /// Every `value` minutes.
    pub const fn minutes(value: u32) -> Self {
        Rate::new(value, RateUnit::Minutes)
    }

    /// Every `value` hours.
    pub const fn hours(value: u32) -> Self {
        Rate::new(value, RateUnit::Hours)
    }

    /// Every `value` days.
    pub const fn days(value: u32) -> Self {
        Rate::new(value, RateUnit::Days)
    }
}

impl fmt::Display for Rate {
    /// EventBridge's form: the unit is singular for 1 (`rate(1 hour)`), as it requires.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            RateUnit::Minutes => "minute",
            RateUnit::Hours => "hour",
            RateUnit::Days => "day",
        };
        let plural = if self.value == 1 { "" } else { "s" };
        write!(f, "rate({} {unit}{plural})", self.value)
    }
}

/// A cron schedule, evaluated in UTC (Chalice's `Cron`): minutes, hours, day of month,
/// month, day of week, year, each as EventBridge reads it. One of the two day fields must
/// be `?`.
///
/// ```
/// use chalice_core::Cron;
///
/// // 10:00 UTC on weekdays.
/// assert_eq!(Cron::new(0, 10, "?", "*", "MON-FRI", "*").to_string(), "cron(0 10 ? * MON-FRI *)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cron {
    fields: [String; 6],
}

impl Cron {
    /// The expression with these six fields (numbers or text such as `*`, `?`, `MON-FRI`).
    pub fn new(
        minutes: impl fmt::Display,
        hours: impl fmt::Display,
        day_of_month: impl fmt::Display,
        month: impl fmt::Display,
        day_of_week: impl fmt::Display,
        year: impl fmt::Display,
    ) -> Self {
        Cron {
            fields: [
                minutes.to_string(),
                hours.to_string(),
                day_of_month.to_string(),
                month.to_string(),
                day_of_week.to_string(),
                year.to_string(),
            ],
        }
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cron({})", self.fields.join(" "))
    }
}

/// A schedule expression as given: a [`Rate`], a [`Cron`], or text (`"rate(5 minutes)"`,
/// `"cron(0 12 * * ? *)"`), checked when the app is built.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScheduleExpression(String);

impl ScheduleExpression {
    /// The expression's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The expression, checked with EventBridge's rules.
    ///
    /// # Errors
    ///
    /// What is wrong with it, in words.
    ///
    /// ```
    /// use chalice_core::ScheduleExpression;
    ///
    /// assert!(ScheduleExpression::from("rate(5 minutes)").parse().is_ok());
    /// assert_eq!(
    ///     ScheduleExpression::from("rate(1 minutes)").parse().unwrap_err(),
    ///     "the unit of rate(1 ...) is singular: rate(1 minute)"
    /// );
    /// ```
    pub fn parse(&self) -> Result<Schedule, String> {
        Schedule::parse(&self.0)
    }
}

impl From<&str> for ScheduleExpression {
    fn from(text: &str) -> Self {
        ScheduleExpression(text.to_owned())
    }
}

impl From<String> for ScheduleExpression {
    fn from(text: String) -> Self {
        ScheduleExpression(text)
    }
}

impl From<Rate> for ScheduleExpression {
    fn from(rate: Rate) -> Self {
        ScheduleExpression(rate.to_string())
    }
}

impl From<Cron> for ScheduleExpression {
    fn from(cron: Cron) -> Self {
        ScheduleExpression(cron.to_string())
    }
}

/// A valid schedule expression, which says when it next fires (for `chalice local`, which
/// runs scheduled handlers on their schedule).
///
/// ```
/// use chalice_core::ScheduleExpression;
///
/// let hourly = ScheduleExpression::from("rate(1 hour)").parse().unwrap();
/// // A rate counts from when the schedule started: here, 1000 s after the epoch.
/// assert_eq!(hourly.next_after(1000, 1000), Some(4600));
/// let noon = ScheduleExpression::from("cron(0 12 * * ? *)").parse().unwrap();
/// // From midnight 1970-01-02 UTC, noon the same day.
/// assert_eq!(noon.next_after(86_400, 0), Some(86_400 + 12 * 3600));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    text: String,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Every(u64),
    Cron(CronSpec),
}

impl Schedule {
    fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let kind = if let Some(inner) = trimmed
            .strip_prefix("rate(")
            .and_then(|s| s.strip_suffix(')'))
        {
            Kind::Every(rate_seconds(inner)?)
        } else if let Some(inner) = trimmed
            .strip_prefix("cron(")
            .and_then(|s| s.strip_suffix(')'))
        {
            Kind::Cron(CronSpec::parse(inner).map_err(|e| e.0)?)
        } else {
            return Err(
                "a schedule is rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH \
                 DAY-OF-WEEK YEAR)"
                    .to_owned(),
            );
        };
        Ok(Schedule {
            text: trimmed.to_owned(),
            kind,
        })
    }

    /// The expression's text, as EventBridge reads it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// When the schedule next fires strictly after `now`, in seconds since the Unix epoch
    /// (UTC): a rate counts whole periods from `started` (when the schedule began: its rule's
    /// creation on AWS, the server's start locally); a cron expression fires at the next
    /// minute it matches. `None` when a cron expression's years are all past.
    pub fn next_after(&self, now: u64, started: u64) -> Option<u64> {
        match &self.kind {
            Kind::Every(period) => {
                let elapsed = now.saturating_sub(started);
                Some(started + (elapsed / period + 1) * period)
            }
            Kind::Cron(spec) => spec.next_after(now),
        }
    }
}

/// The period of `VALUE UNIT`, in seconds, with EventBridge's rules: a positive whole
/// number, and a singular unit for 1, a plural one otherwise.
fn rate_seconds(inner: &str) -> Result<u64, String> {
    let mut parts = inner.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "a rate is rate(VALUE UNIT), such as rate(5 minutes), not rate({inner})"
        ));
    };
    let value: u64 = match value.parse() {
        Ok(v) if v > 0 => v,
        _ => {
            return Err(format!(
                "the value of a rate is a positive whole number, not {value}"
            ));
        }
    };
    let (seconds, singular) = match unit {
        "minute" | "minutes" => (60, unit == "minute"),
        "hour" | "hours" => (3600, unit == "hour"),
        "day" | "days" => (86_400, unit == "day"),
        other => {
            return Err(format!(
                "the unit of a rate is minute(s), hour(s) or day(s), not {other}"
            ));
        }
    };
    let base = unit.trim_end_matches('s');
    match (value == 1, singular) {
        (true, false) => Err(format!(
            "the unit of rate(1 ...) is singular: rate(1 {base})"
        )),
        (false, true) => Err(format!(
            "the unit of rate({value} ...) is plural: rate({value} {base}s)"
        )),
        _ => Ok(value * seconds),
    }
}

/// The event EventBridge sends when the schedule rule `rule_arn` fires at `at` (seconds
/// since the Unix epoch): what a local runner gives a `schedule` handler.
///
/// ```
/// use chalice_core::adapter::scheduled_event;
///
/// let event = scheduled_event("arn:aws:events:us-east-1:123456789012:rule/r", "id-1", 86_400 + 61);
/// let event: serde_json::Value = serde_json::from_str(&event).unwrap();
/// assert_eq!(event["time"], "1970-01-02T00:01:01Z");
/// assert_eq!(event["detail-type"], "Scheduled Event");
/// ```
pub fn scheduled_event(rule_arn: &str, event_id: &str, at: u64) -> String {
    let (year, month, day) = crate::civil::civil_from_days(at / 86_400);
    let seconds = at % 86_400;
    let time = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    let region = rule_arn.split(':').nth(3).unwrap_or("us-east-1");
    let account = rule_arn.split(':').nth(4).unwrap_or("123456789012");
    serde_json::json!({
        "version": "0",
        "id": event_id,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": time,
        "region": region,
        "resources": [rule_arn],
        "detail": {}
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_checked() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("rate(1 minute)", Ok("rate(1 minute)")),
            ("rate(10 days)", Ok("rate(10 days)")),
            (" cron(0 12 * * ? *) ", Ok("cron(0 12 * * ? *)")),
            (
                "rate(2 hour)",
                Err("the unit of rate(2 ...) is plural: rate(2 hours)"),
            ),
            (
                "rate(1 days)",
                Err("the unit of rate(1 ...) is singular: rate(1 day)"),
            ),
            (
                "rate(0 minutes)",
                Err("the value of a rate is a positive whole number, not 0"),
            ),
            (
                "rate(5 seconds)",
                Err("the unit of a rate is minute(s), hour(s) or day(s), not seconds"),
            ),
            (
                "rate(5)",
                Err("a rate is rate(VALUE UNIT), such as rate(5 minutes), not rate(5)"),
            ),
            (
                "every hour",
                Err(
                    "a schedule is rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)",
                ),
            ),
            (
                "cron(0 12 * * * *)",
                Err(
                    "day-of-month and day-of-week can't both be set: use '?' in one of them (cron(0 12 * * ? *) runs daily)",
                ),
            ),
        ];
        for (text, expected) in cases {
            let got = Schedule::parse(text);
            assert_eq!(
                got.as_ref().map(Schedule::as_str).map_err(String::as_str),
                *expected,
                "{text}"
            );
        }
    }

    #[test]
    fn builders_write_what_eventbridge_reads() {
        let cases = [
            (ScheduleExpression::from(Rate::minutes(1)), "rate(1 minute)"),
            (Rate::hours(12).into(), "rate(12 hours)"),
            (Rate::new(1, RateUnit::Days).into(), "rate(1 day)"),
            (
                Cron::new(15, 10, "?", "*", "6L", "2022-2023").into(),
                "cron(15 10 ? * 6L 2022-2023)",
            ),
        ];
        for (expression, text) in cases {
            assert_eq!(expression.as_str(), text);
            assert!(expression.parse().is_ok(), "{text}");
        }
    }

    #[test]
    fn rates_count_whole_periods_from_the_start() {
        let every_5 = Schedule::parse("rate(5 minutes)").expect("valid");
        let cases = [
            (100, 100, 400),
            (399, 100, 400),
            (400, 100, 700),
            (50, 100, 400),
        ];
        for (now, started, next) in cases {
            assert_eq!(
                every_5.next_after(now, started),
                Some(next),
                "{now} from {started}"
            );
        }
    }
}
