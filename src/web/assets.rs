//! CSS, JS and htmx, embedded in the binary and served under content-hashed
//! names, so they can be cached forever and a new build is never stale.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct Asset {
    /// e.g. `/static/app.3f2a9c1b0d.css`
    pub url: String,
    file: String,
    bytes: &'static [u8],
    content_type: &'static str,
}

pub struct Assets {
    pub css: Asset,
    pub js: Asset,
    pub htmx: Asset,
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets {
    css: asset(
        "app",
        "css",
        include_bytes!("../../static/app.css"),
        "text/css; charset=utf-8",
    ),
    js: asset(
        "app",
        "js",
        include_bytes!("../../static/app.js"),
        "text/javascript; charset=utf-8",
    ),
    // htmx 2.0.11: the last patch of the 2.0 line, which is stable and documented.
    htmx: asset(
        "htmx-2.0.11",
        "min.js",
        include_bytes!("../../static/htmx-2.0.11.min.js"),
        "text/javascript; charset=utf-8",
    ),
});

fn asset(stem: &str, extension: &str, bytes: &'static [u8], content_type: &'static str) -> Asset {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let file = format!("{stem}.{hash}.{extension}");
    Asset {
        url: format!("/static/{file}"),
        file,
        bytes,
        content_type,
    }
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let assets = &*ASSETS;
    match [&assets.css, &assets.js, &assets.htmx]
        .into_iter()
        .find(|a| a.file == file)
    {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
