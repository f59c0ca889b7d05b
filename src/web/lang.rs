//! The language a request asks for (its cookie, else Accept-Language) and
//! the switch on every page: a POST that sets the cookie and goes back.

use axum::Form;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::security::cookie_in;
use super::security::redirect::local_path;
use crate::i18n::Lang;

pub const LANG_COOKIE: &str = "lang";

/// The language: the switch's cookie, else the browser's Accept-Language.
pub fn lang_of_headers(headers: &HeaderMap) -> Lang {
    cookie_in(headers, LANG_COOKIE)
        .and_then(|code| Lang::from_code(&code))
        .or_else(|| {
            let header = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            Some(Lang::from_accept_language(header))
        })
        .unwrap_or_default()
}

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
        Redirect::to(local_path(&form.back)),
    )
        .into_response()
}
