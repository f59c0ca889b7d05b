//! The language switch on every page: a POST that sets a cookie and goes back.

use axum::Form;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use super::page::LANG_COOKIE;
use crate::i18n::Lang;

#[derive(serde::Deserialize)]
pub struct LangForm {
    lang: String,
    #[serde(default)]
    back: String,
}

pub async fn switch(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(safe_back(&form.back)),
    )
        .into_response()
}

/// Only a path on this site: `//evil.example` and `https://…` go home.
fn safe_back(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            super::safe_back("/task-definitions/new"),
            "/task-definitions/new"
        );
        assert_eq!(super::safe_back("//evil.example/x"), "/");
        assert_eq!(super::safe_back("https://evil.example"), "/");
        assert_eq!(super::safe_back("/\\evil.example"), "/");
    }
}
