//! The language switch on every page: a POST that sets a cookie and goes back.

use axum::Form;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

use super::page::LANG_COOKIE;
use super::security::redirect::local_path;
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
        Redirect::to(local_path(&form.back)),
    )
        .into_response()
}
