//! IAM roles for ECS tasks: the "Create role" wizard for the task execution
//! role and the task role, the roles page, and a role's page, which says what
//! keeps it from working as a task execution role and offers the fix.

mod pages;
mod wizard;

use super::route::{Routes, deployer, get, post, viewer};

use super::create;
use crate::model::role::Role;

pub fn routes() -> Routes {
    Routes::new()
        .route("/roles", get(viewer(pages::list)))
        .route("/roles/{name}", get(viewer(pages::show)))
        .route(
            "/roles/{name}/trust-ecs-tasks",
            post(deployer(pages::trust_ecs_tasks)),
        )
        .route(
            "/roles/{name}/attach-execution-policy",
            post(deployer(pages::attach_execution_policy)),
        )
        .route("/roles/{name}/policies", post(viewer(pages::policies)))
        .merge(create::routes::<Role>())
}
