//! Failures of our own (not AWS's refusals): a page that says what happened,
//! in both languages since the user's language may not be known here.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    en: &'static str,
    ja: &'static str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, en, ja) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "There is nothing here. The link may be old, or the draft was never saved.",
                "ここには何もありません。古いリンクか、保存されていない下書きです。",
            ),
            AppError::Store(error) => {
                tracing::error!(%error, "store failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "ecs-wizard could not read or write its data file. Nothing was sent to AWS. The server log has the details.",
                    "ecs-wizard がデータファイルを読み書きできませんでした。AWS には何も送信していません。詳細はサーバーのログにあります。",
                )
            }
        };
        (
            status,
            ErrorPage {
                status: status.as_u16(),
                en,
                ja,
            },
        )
            .into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
