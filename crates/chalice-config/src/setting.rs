//! One setting of the file, read leniently: a wrong value is kept with what was expected,
//! so that every mistake of the file can be reported at once instead of the first one.

use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// What a setting's values must be, in words for messages.
pub trait Expected: DeserializeOwned {
    /// What a value must be: `a whole number from 128 to 10240`.
    const EXPECTED: &'static str;

    /// Advice for a particular wrong value, after the message.
    fn hint(_found: &Value) -> Option<String> {
        None
    }
}

/// A key's value in one level of the file: absent (or `null`, which Chalice treats as
/// absent), a value of the setting's type, or a wrong value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Setting<T> {
    /// The key is not there, or is `null`.
    #[default]
    Absent,
    /// A value of the right type.
    Set(T),
    /// A value of the wrong type or out of range, as written.
    Invalid(Value),
}

impl<T> Setting<T> {
    /// The value, if the key has a valid one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Setting::Set(value) => Some(value),
            Setting::Absent | Setting::Invalid(_) => None,
        }
    }

    /// Whether the key is there (with a valid value or not).
    pub fn is_present(&self) -> bool {
        !matches!(self, Setting::Absent)
    }
}

impl<T: Expected> Setting<T> {
    /// What is wrong with the value, if anything: `must be ..., not ...`.
    pub fn problem(&self) -> Option<String> {
        let Setting::Invalid(found) = self else {
            return None;
        };
        let mut problem = format!("must be {}, not {found}", T::EXPECTED);
        if let Some(hint) = T::hint(found) {
            problem.push_str(&format!(" ({hint})"));
        }
        Some(problem)
    }
}

impl<'de, T: Expected> Deserialize<'de> for Setting<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Never fails on the value itself: a wrong one is kept, and reported with the
        // others once the whole file is read.
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Setting::Absent);
        }
        Ok(match T::deserialize(&value) {
            Ok(typed) => Setting::Set(typed),
            Err(_) => Setting::Invalid(value),
        })
    }
}

impl Expected for String {
    const EXPECTED: &'static str = "a string";
}

impl Expected for bool {
    const EXPECTED: &'static str = "true or false";
}

impl Expected for Vec<String> {
    const EXPECTED: &'static str = "a list of strings";
}
