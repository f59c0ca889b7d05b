//! IAM roles for ECS tasks: the "Create role" wizard for the task execution
//! role and the task role, the roles page, and a role's page, which says what
//! keeps it from working as a task execution role and offers the fix.

mod pages;
mod wizard;

use axum::Router;
use axum::routing::{get, post};

use super::create;
use super::state::AppState;
use crate::model::role::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(pages::list))
        .route("/roles/{name}", get(pages::show))
        .route(
            "/roles/{name}/trust-ecs-tasks",
            post(pages::trust_ecs_tasks),
        )
        .route(
            "/roles/{name}/attach-execution-policy",
            post(pages::attach_execution_policy),
        )
        .merge(create::routes::<Role>())
}
