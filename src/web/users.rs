//! Users (admin): the local accounts with their roles, and who is signed
//! in through the identity provider. An admin changes a role, removes an
//! account or ends someone's sessions; accounts are added, with their
//! password, only by `ecs-wizard user add` on the machine, so no page ever
//! shows a password. Nobody changes their own account here: an admin
//! cannot lock the last admin out by a slip.

use super::route::{Routes, admin, get, post, viewer};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::done::Done;
use super::error::{AppError, AppResult};
use super::form::Choice;
use super::page::Page;
use super::security::access::Signed;
use super::state::AppState;
use crate::accounts::is_user_name;
use crate::model::access::Role;
use crate::model::revision::readable_time;

pub fn routes() -> Routes {
    Routes::new()
        .route("/users", get(viewer(list)))
        .route("/users/{name}/role", post(admin(change_role)))
        .route("/users/{name}/remove", post(admin(remove)))
        .route("/users/signout", post(admin(sign_out)))
}

pub struct AccountRow {
    pub name: String,
    /// The role's name, for the admin's own row (shown, not chosen).
    pub role: String,
    pub roles: Vec<Choice>,
    pub created: String,
    pub sessions: i64,
    /// The signed-in admin's own row: no buttons.
    pub mine: bool,
}

pub struct ProviderRow {
    pub name: String,
    pub role: String,
    pub since: String,
    pub last_seen: String,
}

pub struct UsersView {
    pub page: Page,
    pub accounts: Vec<AccountRow>,
    pub provider: Vec<ProviderRow>,
    /// Why the buttons are disabled (not an admin, preview…), or empty.
    pub blocked: String,
    pub local_accounts: bool,
    pub oidc: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub v: UsersView,
}

async fn list(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    page: Page,
) -> AppResult<Response> {
    let me = signed.user.map(|u| u.name).unwrap_or_default();
    let accounts = state
        .store
        .users()
        .await?
        .into_iter()
        .map(|user| AccountRow {
            role: page.tr.role(user.role),
            roles: Role::ALL
                .iter()
                .map(|role| Choice {
                    value: role.as_str().to_string(),
                    label: page.tr.role(*role),
                    selected: *role == user.role,
                })
                .collect(),
            created: readable_time(user.created_at as f64),
            sessions: user.sessions,
            mine: user.name == me,
            name: user.name,
        })
        .collect();
    let provider = state
        .store
        .provider_sessions()
        .await?
        .into_iter()
        .map(|session| ProviderRow {
            role: page.tr.role(session.role),
            since: readable_time(session.created_at as f64),
            last_seen: readable_time(session.last_seen as f64),
            name: session.name,
        })
        .collect();
    // Managing accounts sends nothing to AWS: only the role counts.
    let blocked = match page.signed_role {
        Some(role) if role < Role::Admin => page.blocked_for(Role::Admin, false),
        _ => String::new(),
    };
    let view = UsersView {
        accounts,
        provider,
        blocked,
        local_accounts: state.local_accounts,
        oidc: state.oidc.is_some(),
        page,
    };
    Ok(UsersPage { v: view }.into_response())
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

/// A local account's name (in the path), or a provider's name (in a
/// form: an email or a subject id may hold any character), unless it is
/// the signed-in person's own.
fn other_account(name: &str, signed: &Signed, local: bool) -> Result<(), AppError> {
    let mine = signed.user.as_ref().is_some_and(|u| u.name == name);
    let valid = if local {
        is_user_name(name)
    } else {
        (1..=256).contains(&name.len()) && !name.chars().any(char::is_control)
    };
    if !valid || mine {
        return Err(AppError::BadRequest);
    }
    Ok(())
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
}

async fn change_role(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Path(name): Path<String>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    other_account(&name, &signed, true)?;
    let role = Role::parse(&form.role).ok_or(AppError::BadRequest)?;
    if !state.store.set_role(&name, role).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&Done::UserRole.on("/users", &name)).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Path(name): Path<String>,
) -> AppResult<Response> {
    other_account(&name, &signed, true)?;
    if !state.store.remove_user(&name).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&Done::UserRemoved.on("/users", &name)).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    Extension(signed): Extension<Signed>,
    Form(form): Form<NameForm>,
) -> AppResult<Response> {
    other_account(&form.name, &signed, false)?;
    state.store.end_sessions_of(&form.name).await?;
    Ok(Redirect::to(&Done::SessionsEnded.on("/users", &form.name)).into_response())
}
