//! What every resource a one-page wizard creates (role, cluster, repository,
//! log group) has: a name, tags, its rules, the requests that create it and
//! the Terraform that declares it.

use super::api_call::ApiCall;
use super::task_definition::Tag;
use super::validate::Issue;

pub trait Resource {
    /// The name AWS will know it by.
    fn name(&self) -> &str;

    fn tags(&self) -> &[Tag];

    fn tags_mut(&mut self) -> &mut Vec<Tag>;

    /// What AWS would refuse (errors) or probably not what was meant (warnings).
    fn validate(&self) -> Vec<Issue>;

    /// The requests that create it, in order.
    fn api_calls(&self) -> Vec<ApiCall>;

    fn terraform(&self) -> String;
}
