//! HTTP: the router, the pages, and the security middleware around them.

pub mod assets;
mod audit;
mod audit_entry;
mod changes;
mod checklist;
mod clusters;
pub mod create;
mod csrf_key;
pub mod done;
pub mod draft_form;
pub mod error;
mod estimate;
mod flagged;
pub mod form;
mod home;
pub mod lang;
mod listing;
mod log_groups;
pub mod messages;
mod oidc_signin;
pub mod page;
mod peer;
pub mod quick_start;
mod refusal;
mod repositories;
mod reviewed;
mod roles;
pub mod route;
mod runs;
pub mod security;
mod service_drafts;
mod services;
mod signin;
pub mod state;
pub mod task_definitions;
mod users;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use self::error::AppError;
use self::route::{RouteNeed, Routes, anyone, get, post, viewer};
use self::state::AppState;

/// Every route of the app with what it needs, declared together.
pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(viewer(home::show)))
        .route("/lang", post(anyone(lang::switch)))
        .route("/refresh", post(viewer(listing::refresh)))
        .route(
            "/signin",
            get(anyone(signin::show)).post(anyone(signin::sign_in)),
        )
        .route("/signin/oidc", get(anyone(oidc_signin::begin)))
        .route("/signin/oidc/callback", get(anyone(oidc_signin::callback)))
        .route("/signout", post(viewer(signin::sign_out)))
        .route("/static/{file}", get(anyone(assets::serve)))
        .route(security::HEALTH_PATH, get(anyone(|| async { "ok" })))
        .merge(task_definitions::routes())
        .merge(roles::routes())
        .merge(clusters::routes())
        .merge(repositories::routes())
        .merge(log_groups::routes())
        .merge(services::routes())
        .merge(quick_start::routes())
        .merge(changes::routes())
        .merge(audit::routes())
        .merge(users::routes())
}

/// What each route needs: the table the router was built with, for tests
/// that walk every route.
pub fn route_table() -> Vec<RouteNeed> {
    routes().table().to_vec()
}

pub fn router(state: AppState) -> Router {
    routes()
        .into_router()
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(
            state.clone(),
            security::access::identify,
        ))
        .layer(from_fn_with_state(state.clone(), security::csrf::csrf))
        .layer(from_fn(security::body::refuse_oversized))
        .layer(from_fn_with_state(state.clone(), security::check_host))
        .layer(from_fn(error::error_pages))
        .layer(from_fn(security::headers))
        // gzip or brotli, as the browser asks: htmx's 52 KB travel as ~16 KB.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
