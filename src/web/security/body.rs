//! A body over the limit is answered with 413 only after it has been read
//! (and dropped). Answering while the browser is still sending, then closing
//! the connection, makes browsers show "connection reset" instead of the
//! app's page that says the text was too large.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::csrf::MAX_FORM_BYTES;

/// Past this the rest is not read: the connection is closed instead (a
/// browser pasting text never gets near it; something else does not deserve
/// the bandwidth).
const READ_AND_DROP_UP_TO: u64 = 32 * 1024 * 1024;
const READ_AND_DROP_FOR: Duration = Duration::from_secs(30);

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match length {
        Some(length) if length > MAX_FORM_BYTES as u64 => {
            if length <= READ_AND_DROP_UP_TO {
                let _ =
                    tokio::time::timeout(READ_AND_DROP_FOR, drop_body(request.into_body())).await;
            }
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        _ => next.run(request).await,
    }
}

/// Reads the body frame by frame, keeping none of it.
async fn drop_body(mut body: Body) {
    while let Some(Ok(_frame)) = body.frame().await {}
}
