//! A finding about a request: what the form shows beside a field, and
//! whether it stops anything being sent. Validation, limits and imports
//! all speak it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// AWS would refuse it: nothing is sent while one stands.
    Error,
    /// Allowed, but probably not what was meant.
    Warning,
}

/// One finding. `key` names a message in the i18n catalogs; `args` fill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub severity: Severity,
}

impl Issue {
    pub fn error(path: impl Into<String>, key: &'static str) -> Self {
        Self {
            path: path.into(),
            key,
            args: Vec::new(),
            severity: Severity::Error,
        }
    }

    pub fn warning(path: impl Into<String>, key: &'static str) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, key)
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
