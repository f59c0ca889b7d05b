//! The service page's actions as the UpdateService requests they send:
//! the confirmation shows the request and the POST sends that same value.

use serde_json::json;

use crate::model::api_call::ApiCall;
use crate::model::operation::Operation;

/// ECS's limit on a service's desired tasks (the "tasks per service" quota).
pub const MAX_DESIRED: i64 = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceUpdate {
    /// New tasks from the same revision (a new image pushed under the same tag).
    ForceNewDeployment,
    DesiredCount(i64),
    /// Another revision of the service's task definition: `family:7`.
    Revision(String),
}

impl ServiceUpdate {
    /// The action as a form sends it: `action` and its value. None when
    /// the value is out of bounds, or the revision is not one of `family`.
    pub fn parse(action: &str, value: &str, family: &str) -> Option<ServiceUpdate> {
        let value = value.trim();
        match action {
            "force" => Some(ServiceUpdate::ForceNewDeployment),
            "desired" => value
                .parse()
                .ok()
                .filter(|n| (0..=MAX_DESIRED).contains(n))
                .map(ServiceUpdate::DesiredCount),
            "revision" => {
                let (f, number) = value.rsplit_once(':')?;
                let number: u32 = number.parse().ok().filter(|n| *n > 0)?;
                (f == family).then(|| ServiceUpdate::Revision(format!("{f}:{number}")))
            }
            _ => None,
        }
    }

    pub fn action(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "force",
            ServiceUpdate::DesiredCount(_) => "desired",
            ServiceUpdate::Revision(_) => "revision",
        }
    }

    pub fn value(&self) -> String {
        match self {
            ServiceUpdate::ForceNewDeployment => String::new(),
            ServiceUpdate::DesiredCount(n) => n.to_string(),
            ServiceUpdate::Revision(r) => r.clone(),
        }
    }

    /// The catalog key of its name.
    pub fn action_title(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "ui.force_new_deployment",
            ServiceUpdate::DesiredCount(_) => "ui.update_desired",
            ServiceUpdate::Revision(_) => "ui.update_revision",
        }
    }

    /// The catalog key that says what it will do.
    pub fn explanation(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "h.update_force",
            ServiceUpdate::DesiredCount(0) => "h.update_desired_zero",
            ServiceUpdate::DesiredCount(_) => "h.update_desired",
            ServiceUpdate::Revision(_) => "h.update_revision",
        }
    }

    pub fn call(&self, cluster: &str, service: &str) -> ApiCall {
        let mut input = json!({"cluster": cluster, "service": service});
        match self {
            ServiceUpdate::ForceNewDeployment => input["forceNewDeployment"] = json!(true),
            ServiceUpdate::DesiredCount(n) => input["desiredCount"] = json!(n),
            ServiceUpdate::Revision(r) => input["taskDefinition"] = json!(r),
        }
        ApiCall::new(Operation::UpdateService, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_is_one_update_service_request() {
        let force = ServiceUpdate::parse("force", "", "web").unwrap();
        assert_eq!(
            force.call("c", "s").input,
            json!({"cluster": "c", "service": "s", "forceNewDeployment": true})
        );
        let desired = ServiceUpdate::parse("desired", " 3 ", "web").unwrap();
        assert_eq!(desired.call("c", "s").input["desiredCount"], 3);
        assert_eq!(desired.value(), "3");
        let revision = ServiceUpdate::parse("revision", "web:07", "web").unwrap();
        assert_eq!(revision.call("c", "s").input["taskDefinition"], "web:7");
        assert_eq!(revision.call("c", "s").title(), "ecs:UpdateService");
    }

    #[test]
    fn values_out_of_bounds_are_refused() {
        assert_eq!(ServiceUpdate::parse("desired", "-1", "web"), None);
        assert_eq!(ServiceUpdate::parse("desired", "5001", "web"), None);
        assert_eq!(ServiceUpdate::parse("desired", "many", "web"), None);
        assert!(ServiceUpdate::parse("desired", "0", "web").is_some());
        // Another family's revision is another service's business.
        assert_eq!(ServiceUpdate::parse("revision", "api:3", "web"), None);
        assert_eq!(ServiceUpdate::parse("revision", "web:0", "web"), None);
        assert_eq!(ServiceUpdate::parse("revision", "web", "web"), None);
        assert_eq!(ServiceUpdate::parse("delete", "", "web"), None);
    }
}
