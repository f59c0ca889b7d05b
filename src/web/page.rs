//! What every page shows around its content: the header (who we are in AWS, or
//! "preview only"), the language switch, the CSRF token, the assets.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

use super::assets::{ASSETS, Assets};
use super::lang::lang_of_headers;
use super::security::CsrfToken;
use super::security::access::Signed;
use super::security::redirect::local_path;
use crate::aws::{Connection, PreviewReason};
use crate::i18n::{Lang, Tr};
use crate::model::access::Role;

pub struct Page {
    pub tr: Tr,
    pub csrf: String,
    /// The GET URL (path and query) that shows this page again, for the
    /// language switch to come back to. A handler that answers a POST with a
    /// page sets it when the Referer is not the right one.
    pub path: String,
    pub assets: &'static Assets,
    pub other_langs: Vec<(&'static str, &'static str)>,
    pub account: String,
    pub region: String,
    pub caller: String,
    /// Empty when connected; otherwise why nothing can be sent.
    pub preview_reason: String,
    /// Who is signed in and their role, translated; empty when nobody signs in.
    pub user: String,
    pub role: String,
    /// People sign in here and this one has not: the header shows neither
    /// the AWS account nor the menu.
    pub signed_out: bool,
    /// The signed-in user's role; None when nobody signs in (all is allowed).
    pub signed_role: Option<Role>,
    /// On a draft's page, when this person may not change it: whose it is,
    /// and where to copy it.
    pub draft_notice: Option<DraftNotice>,
    /// What the action that led here did (`?done=…`), or empty.
    pub done: String,
}

/// "This draft is ana's: only they and admins may change it." with a
/// button that makes the reader's own copy.
pub struct DraftNotice {
    pub said: String,
    pub copy_url: String,
}

impl Page {
    /// Marks this page as a draft's that `signed` may not change (made by
    /// `owner`), copied at `copy_url`.
    pub fn draft_of(&mut self, signed: &Signed, owner: Option<&str>, copy_url: String) {
        if signed.may_edit(owner) {
            return;
        }
        let said = match owner {
            Some(owner) => self.tr.fmt("ui.draft_of", &[("owner", owner.to_string())]),
            None => self.tr.t("ui.draft_of_nobody").to_string(),
        };
        self.draft_notice = Some(DraftNotice { said, copy_url });
    }

    pub fn is_preview(&self) -> bool {
        !self.preview_reason.is_empty()
    }

    /// Why Create (or Update, Resume) is disabled, or empty when it can be pressed.
    pub fn create_blocked(&self, has_errors: bool) -> String {
        self.blocked_for(Role::Deployer, has_errors)
    }

    /// Why a button that needs `role` is disabled, or empty. The server
    /// refuses the POST anyway; this says so before it is pressed.
    pub fn blocked_for(&self, role: Role, has_errors: bool) -> String {
        if let Some(mine) = self.signed_role
            && mine < role
        {
            self.tr.fmt(
                "ui.role_cannot",
                &[("role", self.tr.role(mine)), ("needed", self.tr.role(role))],
            )
        } else if self.is_preview() {
            self.preview_reason.clone()
        } else if has_errors {
            self.tr.t("ui.fix_errors_first").to_string()
        } else {
            String::new()
        }
    }

    fn new(lang: Lang, csrf: String, path: String, connection: &Connection) -> Self {
        let tr = Tr::new(lang);
        let (account, caller, preview_reason) = match connection {
            Connection::Connected { identity, .. } => (
                identity.account.clone(),
                identity.arn.clone(),
                String::new(),
            ),
            Connection::PreviewOnly { reason, .. } => {
                (String::new(), String::new(), preview_reason(tr, reason))
            }
        };
        Self {
            tr,
            csrf,
            path,
            assets: &ASSETS,
            other_langs: Lang::ALL
                .iter()
                .filter(|l| **l != lang)
                .map(|l| (l.code(), l.name()))
                .collect(),
            account,
            region: connection.region().unwrap_or_default().to_string(),
            caller,
            preview_reason,
            user: String::new(),
            role: String::new(),
            signed_out: false,
            signed_role: None,
            draft_notice: None,
            done: String::new(),
        }
    }
}

fn preview_reason(tr: Tr, reason: &PreviewReason) -> String {
    match reason {
        // The chain's own detail ("an error occurred while loading
        // credentials") tells a person nothing: the terminal has it.
        PreviewReason::NoCredentials(_) => tr.t("ui.preview_no_credentials").to_string(),
        PreviewReason::NoRegion => tr.t("ui.preview_no_region").to_string(),
        PreviewReason::IdentityFailed(error) => tr.fmt(
            "ui.preview_identity_failed",
            &[
                ("code", error.code.clone()),
                ("message", error.message.clone()),
            ],
        ),
    }
}

/// Where the language switch returns: this URL for a GET; for a POST that
/// answered with a page, the page the form was on (its Referer, when it is
/// this site's), since the POST's own URL cannot be opened again.
fn return_path(parts: &Parts) -> String {
    if parts.method == Method::GET {
        return parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    parts
        .headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.strip_prefix("http://"))
        .and_then(|r| r.strip_prefix(host))
        .filter(|path| !host.is_empty() && path.starts_with('/'))
        .map_or("/", local_path)
        .to_string()
}

impl<S> FromRequestParts<S> for Page
where
    S: Send + Sync,
    Arc<Connection>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let connection = Arc::<Connection>::from_ref(state);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let path = return_path(parts);
        let mut page = Page::new(lang_of_headers(&parts.headers), csrf, path, &connection);
        if parts.method == Method::GET {
            page.done = super::done::said(page.tr, parts.uri.query().unwrap_or_default());
        }
        if let Some(signed) = parts.extensions.get::<Signed>() {
            if let Some(user) = &signed.user {
                page.user = user.name.clone();
                page.role = page.tr.role(user.role);
            }
            page.signed_out = signed.required && signed.user.is_none();
            page.signed_role = signed.user.as_ref().map(|u| u.role);
        }
        Ok(page)
    }
}

/// True for requests htmx made; they get a fragment, not a whole page.
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}
