//! Named parameter values: one grid cell of a sweep, one point of a bound's grid.
//!
//! Values are numbers or strings; getters validate and name the parameter in
//! their errors, so a bad value in a config surfaces as "field T: ...".
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    #[error("parameter `{0}` is missing")]
    Missing(String),
    #[error("parameter `{name}` = {value}: expected {expected}")]
    WrongType {
        name: String,
        value: String,
        expected: &'static str,
    },
    #[error("parameter `{name}` = {value}: {reason}")]
    OutOfRange {
        name: String,
        value: String,
        reason: String,
    },
}

/// One parameter value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "{s}"),
        }
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Value::Int(x)
    }
}
impl From<usize> for Value {
    fn from(x: usize) -> Self {
        Value::Int(x as i64)
    }
}
impl From<&str> for Value {
    fn from(x: &str) -> Self {
        Value::Str(x.to_string())
    }
}

impl Value {
    /// Numeric value, if the value is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            Value::Str(_) => None,
        }
    }
}

/// The names a parameter set was asked for (present or not), shared by its clones: how
/// the runner finds keys that nothing reads. Not part of the value (ignored by `==`, serde).
#[derive(Debug, Clone, Default)]
pub struct ReadLog(Option<Arc<Mutex<BTreeSet<String>>>>);

impl PartialEq for ReadLog {
    fn eq(&self, _: &ReadLog) -> bool {
        true
    }
}

/// An ordered map from parameter name to value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params {
    values: BTreeMap<String, Value>,
    #[serde(skip)]
    log: ReadLog,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_map(values: BTreeMap<String, Value>) -> Self {
        Params {
            values,
            log: ReadLog::default(),
        }
    }

    /// The values, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.values.iter()
    }

    /// A copy that records every name it is asked for (through its clones too).
    pub fn tracked(&self) -> Params {
        Params {
            values: self.values.clone(),
            log: ReadLog(Some(Arc::new(Mutex::new(BTreeSet::new())))),
        }
    }

    /// Every name a tracked copy (or a clone of it) was asked for, present or not.
    pub fn asked(&self) -> BTreeSet<String> {
        match &self.log.0 {
            Some(l) => l.lock().map(|s| s.clone()).unwrap_or_default(),
            None => BTreeSet::new(),
        }
    }

    /// Present keys a tracked copy was never asked for: parameters nothing reads.
    pub fn unread(&self) -> Vec<String> {
        let asked = self.asked();
        self.values
            .keys()
            .filter(|k| !asked.contains(*k))
            .cloned()
            .collect()
    }

    fn note(&self, name: &str) {
        if let Some(l) = &self.log.0 {
            if let Ok(mut s) = l.lock() {
                if !s.contains(name) {
                    s.insert(name.to_string());
                }
            }
        }
    }

    /// Whether the parameter is present (a read: it counts as asked for).
    pub fn has(&self, name: &str) -> bool {
        self.note(name);
        self.values.contains_key(name)
    }

    /// Builder-style insertion.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    pub fn set(&mut self, name: &str, value: impl Into<Value>) {
        self.values.insert(name.to_string(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.note(name);
        self.values.get(name)
    }

    fn require(&self, name: &str) -> Result<&Value, ParamError> {
        self.get(name)
            .ok_or_else(|| ParamError::Missing(name.to_string()))
    }

    /// A finite real number.
    pub fn f64(&self, name: &str) -> Result<f64, ParamError> {
        let v = self.require(name)?;
        match v.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            Some(_) => Err(out_of_range(name, v, "must be finite")),
            None => Err(ParamError::WrongType {
                name: name.into(),
                value: v.to_string(),
                expected: "a number",
            }),
        }
    }

    /// A real number, or `default` when absent.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, ParamError> {
        if self.has(name) {
            self.f64(name)
        } else {
            Ok(default)
        }
    }

    /// A real number > 0.
    pub fn positive(&self, name: &str) -> Result<f64, ParamError> {
        let x = self.f64(name)?;
        if x > 0.0 {
            Ok(x)
        } else {
            Err(out_of_range(name, &Value::Float(x), "must be > 0"))
        }
    }

    /// A real number > 0, or `default` when absent.
    pub fn positive_or(&self, name: &str, default: f64) -> Result<f64, ParamError> {
        if self.has(name) {
            self.positive(name)
        } else {
            Ok(default)
        }
    }

    /// A real number >= 0.
    pub fn nonnegative(&self, name: &str) -> Result<f64, ParamError> {
        let x = self.f64(name)?;
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(out_of_range(name, &Value::Float(x), "must be >= 0"))
        }
    }

    /// An integer >= `min`.
    pub fn usize_at_least(&self, name: &str, min: usize) -> Result<usize, ParamError> {
        let v = self.require(name)?;
        let i = match v {
            Value::Int(i) => *i,
            Value::Float(x) if x.fract() == 0.0 && x.is_finite() => *x as i64,
            _ => {
                return Err(ParamError::WrongType {
                    name: name.into(),
                    value: v.to_string(),
                    expected: "an integer",
                })
            }
        };
        if i < min as i64 {
            return Err(out_of_range(name, v, &format!("must be >= {min}")));
        }
        Ok(i as usize)
    }

    /// An integer >= `min`, or `default` when absent (a present bad value is an error).
    pub fn usize_at_least_or(
        &self,
        name: &str,
        min: usize,
        default: usize,
    ) -> Result<usize, ParamError> {
        if self.has(name) {
            self.usize_at_least(name, min)
        } else {
            Ok(default)
        }
    }

    /// A string.
    pub fn str(&self, name: &str) -> Result<&str, ParamError> {
        match self.require(name)? {
            Value::Str(s) => Ok(s),
            v => Err(ParamError::WrongType {
                name: name.into(),
                value: v.to_string(),
                expected: "a string",
            }),
        }
    }

    /// A string, or `default` when absent.
    pub fn str_or<'a>(&'a self, name: &str, default: &'a str) -> Result<&'a str, ParamError> {
        if self.has(name) {
            self.str(name)
        } else {
            Ok(default)
        }
    }

    /// Overlay `other` on `self` (other wins).
    pub fn merged(&self, other: &Params) -> Params {
        let mut out = self.clone();
        for (k, v) in &other.values {
            out.values.insert(k.clone(), v.clone());
        }
        out
    }

    /// Compact `a=1 b=x` form for tables and messages.
    pub fn short(&self) -> String {
        self.values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An error for a value outside its admissible range.
pub fn out_of_range(name: &str, v: &Value, reason: &str) -> ParamError {
    ParamError::OutOfRange {
        name: name.into(),
        value: v.to_string(),
        reason: reason.into(),
    }
}

/// `name` = `value` is none of `choices`: an out-of-range error listing them, with the nearest
/// as a suggestion when the value looks like a misspelling of one.
pub fn unknown_choice(name: &str, value: &str, choices: &[&str]) -> ParamError {
    let near = nearest(value, choices.iter().copied());
    out_of_range(
        name,
        &value.into(),
        &format!(
            "one of {}{}",
            choices.join(", "),
            near.map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default()
        ),
    )
}

/// The known name nearest to `name` by edit distance, when it is close enough to be a
/// plausible misspelling (at most a third of the name's length, at least 1).
pub fn nearest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    known
        .into_iter()
        .filter(|k| *k != name)
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}

/// Cartesian product of named value lists, in the order given (last varies fastest).
pub fn product(base: &Params, axes: &[(String, Vec<Value>)]) -> Vec<Params> {
    let mut out = vec![base.clone()];
    for (name, values) in axes {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for p in &out {
            for v in values {
                let mut q = p.clone();
                q.values.insert(name.clone(), v.clone());
                next.push(q);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getters_name_the_parameter() {
        let p = Params::new()
            .with("T", 0usize)
            .with("eta", -1.0)
            .with("s", "x");
        let e = p.usize_at_least("T", 1).unwrap_err().to_string();
        assert!(e.contains("`T`") && e.contains(">= 1"), "{e}");
        let e = p.positive("eta").unwrap_err().to_string();
        assert!(e.contains("`eta`"), "{e}");
        assert!(p.f64("s").is_err());
        assert!(matches!(p.f64("missing"), Err(ParamError::Missing(_))));
    }

    #[test]
    fn tracking_finds_unread_keys_and_suggests_the_nearest() {
        let p = Params::new().with("sigm", 0.3).with("T", 5usize).tracked();
        let q = p.clone(); // clones share the log
        assert_eq!(q.f64_or("sigma", 0.0).unwrap(), 0.0);
        assert_eq!(p.usize_at_least("T", 1).unwrap(), 5);
        assert_eq!(p.unread(), vec!["sigm".to_string()]);
        let asked = p.asked();
        assert_eq!(
            nearest("sigm", asked.iter().map(|s| s.as_str())),
            Some("sigma")
        );
        assert_eq!(nearest("zzzz", ["sigma", "T"]), None);
        // an untracked set records nothing
        let u = Params::new().with("a", 1.0);
        let _ = u.f64("a");
        assert!(u.asked().is_empty());
    }

    #[test]
    fn product_orders_last_fastest() {
        let axes = vec![
            ("a".to_string(), vec![Value::Int(1), Value::Int(2)]),
            ("b".to_string(), vec![Value::from("x"), Value::from("y")]),
        ];
        let cells = product(&Params::new(), &axes);
        let shorts: Vec<_> = cells.iter().map(|c| c.short()).collect();
        assert_eq!(shorts, ["a=1 b=x", "a=1 b=y", "a=2 b=x", "a=2 b=y"]);
    }
}
