//! The reviews' list of what a Terraform scanner will flag and why it is
//! left (`model::scanner`), each line linking to the field that changes it.

use crate::i18n::Tr;
use crate::model::scanner::Flagged;

pub struct FlaggedLine {
    pub check: &'static str,
    pub text: String,
    /// The form field that changes it: (its URL with the field's anchor,
    /// its label).
    pub field: Option<(String, String)>,
}

/// The lines for `flagged`, its fields on the form at `form_url` (a
/// wizard's step is under it).
pub fn lines(tr: Tr, flagged: &[Flagged], form_url: &str) -> Vec<FlaggedLine> {
    flagged
        .iter()
        .map(|f| FlaggedLine {
            check: f.check,
            text: tr.t(f.reason).to_string(),
            field: f.field.as_ref().map(|field| {
                let page = if field.step.is_empty() {
                    form_url.to_string()
                } else {
                    format!("{form_url}/{}", field.step)
                };
                (
                    format!("{page}#{}", field.id),
                    tr.t(field.label).to_string(),
                )
            }),
        })
        .collect()
}
