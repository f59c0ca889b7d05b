//! The page for "AWS said no": AWS's own code and message, what that usually
//! means for a beginner, what to do next, and, when a creation took several
//! calls, what was undone so nothing is left half-created.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::page::Page;
use crate::aws::{AwsError, NO_ANSWER, Undo};
use crate::i18n::{Tr, catalog};

pub struct RefusalView {
    pub page: Page,
    /// "AWS refused the request", or "AWS did not answer" when nothing came back.
    pub title: &'static str,
    pub code: String,
    pub message: String,
    pub meaning: String,
    pub next: String,
    pub undo: Vec<UndoLine>,
    pub back_url: String,
}

pub struct UndoLine {
    pub call: String,
    /// Empty when the call worked; otherwise AWS's code and message.
    pub failure: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "refused.html")]
pub struct RefusedPage {
    pub v: RefusalView,
}

/// A 502 page: the request was fine, AWS refused it.
pub fn refused(page: Page, error: AwsError, undo: Vec<Undo>, back_url: String) -> Response {
    tracing::warn!(code = %error.code, "AWS refused a request");
    let (meaning, next) = explain(page.tr, &error.code);
    let undo = undo
        .into_iter()
        .map(|u| UndoLine {
            call: u.call,
            failure: u
                .outcome
                .err()
                .map(|e| format!("{}: {}", e.code, e.message))
                .unwrap_or_default(),
        })
        .collect();
    let title = if error.code == NO_ANSWER {
        "ui.aws_no_answer"
    } else {
        "ui.aws_refused"
    };
    let v = RefusalView {
        title,
        code: error.code,
        message: error.message,
        meaning,
        next,
        undo,
        back_url,
        page,
    };
    (StatusCode::BAD_GATEWAY, RefusedPage { v }).into_response()
}

/// AWS's refusal as a page line says it: what it means and where to go, in
/// the reader's language, then AWS's own code and message for whoever
/// looks further.
pub fn said(tr: Tr, error: &AwsError) -> String {
    let (meaning, next) = explain(tr, &error.code);
    format!("{meaning} {next} ({}: {})", error.code, error.message)
}

/// The catalog explains the codes a beginner meets most; others get the general advice.
pub fn explain(tr: Tr, code: &str) -> (String, String) {
    let known = catalog(tr.lang)
        .get(&format!("awserr.{code}.meaning"))
        .is_some();
    let key = if known { code } else { "other" };
    (
        tr.t(&format!("awserr.{key}.meaning")).to_string(),
        tr.t(&format!("awserr.{key}.next")).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn known_codes_are_explained_and_others_get_general_advice() {
        let tr = Tr::new(Lang::En);
        let (meaning, _) = explain(tr, "AccessDeniedException");
        assert!(meaning.contains("permission"), "{meaning}");
        let (general, next) = explain(tr, "SomethingNew");
        assert_eq!(general, tr.t("awserr.other.meaning"));
        assert!(!next.is_empty());
    }
}
