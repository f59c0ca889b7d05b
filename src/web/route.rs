//! Routes that say who may use them, where they are declared:
//! `.route("/x/{id}/delete", post(admin(delete)))`. The need travels with
//! the handler, so it is decided on the route axum matched (its parameters
//! already percent-decoded), never on the raw path text; a handler can
//! only be routed through [`get`] or [`post`], which take nothing but a
//! [`Guarded`] handler, so a route without a declared role does not
//! compile. Every route is also written into the table [`Routes`] keeps,
//! which tests enumerate instead of a hand-kept copy.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;

use super::audit_entry::recorded;
use super::error::ErrorKey;
use super::security::access::Signed;
use super::state::AppState;
use crate::model::access::{Need, Role};

/// A handler with the least role that may call it.
#[derive(Clone)]
pub struct Guarded<H> {
    need: Need,
    handler: H,
}

/// Anyone, signed in or not: the sign-in page, static files, the health check.
pub fn anyone<H>(handler: H) -> Guarded<H> {
    Guarded {
        need: Need::Anyone,
        handler,
    }
}

/// Every signed-in person: pages, reviews, drafts kept here.
pub fn viewer<H>(handler: H) -> Guarded<H> {
    at_least(Role::Viewer, handler)
}

/// Creates and updates in AWS; each request is audited.
pub fn deployer<H>(handler: H) -> Guarded<H> {
    at_least(Role::Deployer, handler)
}

/// Deletes in AWS and this instance's accounts; each request is audited.
pub fn admin<H>(handler: H) -> Guarded<H> {
    at_least(Role::Admin, handler)
}

fn at_least<H>(role: Role, handler: H) -> Guarded<H> {
    Guarded {
        need: Need::AtLeast(role),
        handler,
    }
}

impl<H, T> Handler<T, AppState> for Guarded<H>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    type Future = Pin<Box<dyn Future<Output = Response> + Send>>;

    fn call(self, request: Request, state: AppState) -> Self::Future {
        Box::pin(async move {
            if let Some(refused) = refusal(self.need, &request) {
                return refused;
            }
            let handler = self.handler;
            if self.need.is_audited() {
                let run = state.clone();
                recorded(&state, request, move |request| handler.call(request, run)).await
            } else if request.method() == Method::GET || request.method() == Method::HEAD {
                // A page answers by --aws-timeout however many reads it
                // chains (each has that timeout too). Its reads change
                // nothing, so stopping them is safe.
                let deadline = state.aws_timeout + PAGE_MARGIN;
                match tokio::time::timeout(deadline, handler.call(request, state)).await {
                    Ok(response) => response,
                    Err(_) => no_answer(),
                }
            } else {
                handler.call(request, state).await
            }
        })
    }
}

/// The answer for a sender who may not use a route that needs `need`, or
/// None when they may.
fn refusal(need: Need, request: &Request) -> Option<Response> {
    let Need::AtLeast(role) = need else {
        return None;
    };
    // The layer that reads the session always sets this; without it,
    // nobody is let through.
    let Some(signed) = request.extensions().get::<Signed>() else {
        return Some(refuse("http.sign_in_first"));
    };
    if !signed.required {
        return None;
    }
    match &signed.user {
        None if request.method() == Method::GET || request.method() == Method::HEAD => {
            let back = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let query = serde_urlencoded::to_string([("back", back)]).unwrap_or_default();
            Some(Redirect::to(&format!("/signin?{query}")).into_response())
        }
        None => Some(refuse("http.sign_in_first")),
        Some(user) if user.role < role => Some(refuse("http.role_too_low")),
        Some(_) => None,
    }
}

/// What a page has beyond --aws-timeout for its own work (the store,
/// rendering): pages bound their reads by the timeout itself and say which
/// did not answer; this is the backstop.
const PAGE_MARGIN: Duration = Duration::from_secs(2);

fn no_answer() -> Response {
    let mut response = axum::http::StatusCode::GATEWAY_TIMEOUT.into_response();
    response
        .extensions_mut()
        .insert(ErrorKey("http.aws_no_answer"));
    response
}

fn refuse(key: &'static str) -> Response {
    let mut response = axum::http::StatusCode::FORBIDDEN.into_response();
    response.extensions_mut().insert(ErrorKey(key));
    response
}

/// One route's methods and what each needs.
pub struct Methods {
    router: MethodRouter<AppState>,
    needs: Vec<(Method, Need)>,
}

/// A GET (and HEAD) route.
#[allow(clippy::disallowed_methods)] // the one place that routes a handler
pub fn get<H, T>(guarded: Guarded<H>) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        needs: vec![(Method::GET, guarded.need)],
        router: axum::routing::get(guarded),
    }
}

/// A POST route.
#[allow(clippy::disallowed_methods)] // the one place that routes a handler
pub fn post<H, T>(guarded: Guarded<H>) -> Methods
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Methods {
        needs: vec![(Method::POST, guarded.need)],
        router: axum::routing::post(guarded),
    }
}

impl Methods {
    pub fn get<H, T>(self, guarded: Guarded<H>) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.merge(get(guarded))
    }

    pub fn post<H, T>(self, guarded: Guarded<H>) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.merge(post(guarded))
    }

    fn merge(mut self, other: Methods) -> Self {
        self.router = self.router.merge(other.router);
        self.needs.extend(other.needs);
        self
    }
}

/// One line of the route table: a method on a path pattern, and its need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteNeed {
    pub method: Method,
    /// As declared: `/task-definitions/{family}/{revision}/deregister`.
    pub path: String,
    pub need: Need,
}

/// The app's routes and the table of what each needs, built together.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteNeed>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    #[allow(clippy::disallowed_methods)] // the one place that adds a route
    pub fn route(mut self, path: &str, methods: Methods) -> Self {
        self.table
            .extend(methods.needs.into_iter().map(|(method, need)| RouteNeed {
                method,
                path: path.to_string(),
                need,
            }));
        self.router = self.router.route(path, methods.router);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn table(&self) -> &[RouteNeed] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn page() -> &'static str {
        "page"
    }

    #[test]
    fn the_table_holds_each_method_with_its_need() {
        let routes = Routes::new()
            .route("/a", get(viewer(page)).post(deployer(page)))
            .merge(Routes::new().route("/b/{id}/delete", post(admin(page))));
        let lines: Vec<(String, String, Need)> = routes
            .table()
            .iter()
            .map(|r| (r.method.to_string(), r.path.clone(), r.need))
            .collect();
        assert_eq!(
            lines,
            [
                ("GET".into(), "/a".into(), Need::AtLeast(Role::Viewer)),
                ("POST".into(), "/a".into(), Need::AtLeast(Role::Deployer)),
                (
                    "POST".into(),
                    "/b/{id}/delete".into(),
                    Need::AtLeast(Role::Admin)
                ),
            ]
        );
    }
}
