//! The service page's actions as the UpdateService requests they send:
//! the confirmation shows the request and the POST sends that same value.

use serde_json::json;

use super::deployments::short_revision;
use super::scaling::{AutoScaling, ScalingRead};
use crate::model::api_call::ApiCall;
use crate::model::operation::Operation;
use crate::model::validate::Issue;

/// ECS's limit on a service's desired tasks (the "tasks per service" quota).
pub const MAX_DESIRED: i64 = 5000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceUpdate {
    /// New tasks from the same revision (a new image pushed under the same tag).
    ForceNewDeployment,
    DesiredCount(i64),
    /// Another revision of the service's task definition: `family:7`.
    Revision(String),
    /// Auto scaling set to these bounds and this target (a first policy,
    /// or the one it has changed).
    Scaling(AutoScaling),
    /// Auto scaling removed: the service keeps its desired count.
    StopScaling,
    /// A running deployment stopped, rolled back to the last that worked.
    StopDeployment(String),
    /// A pause hook answered: Continue (true) or Roll back (false).
    AnswerHook {
        deployment: String,
        hook: String,
        go_on: bool,
    },
}

/// `arn:aws:ecs:region:account:service-deployment/cluster/service/id`.
fn is_deployment_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    matches!(parts.as_slice(), ["arn", partition, "ecs", region, account, resource]
    if partition.starts_with("aws")
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource.strip_prefix("service-deployment/").is_some_and(|rest| {
            rest.split('/').count() == 3
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c))
        }))
}

/// A hook's id as ECS writes it (`ecs-pause-e7tK9G_WRJq…`).
fn is_hook_id(text: &str) -> bool {
    (1..=256).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
}

/// The deployment is one of `service` of `cluster`: a link cannot act on
/// another service's deployment through this one's page (and its role).
pub fn is_deployment_of(arn: &str, cluster: &str, service: &str) -> bool {
    is_deployment_arn(arn) && arn.contains(&format!(":service-deployment/{cluster}/{service}/"))
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
            "scaling" => AutoScaling::decode(value).map(ServiceUpdate::Scaling),
            "stop-scaling" => Some(ServiceUpdate::StopScaling),
            "stop-deployment" => {
                is_deployment_arn(value).then(|| ServiceUpdate::StopDeployment(value.into()))
            }
            "continue" | "roll-back" => {
                let (deployment, hook) = value.split_once(' ')?;
                (is_deployment_arn(deployment) && is_hook_id(hook)).then(|| {
                    ServiceUpdate::AnswerHook {
                        deployment: deployment.into(),
                        hook: hook.into(),
                        go_on: action == "continue",
                    }
                })
            }
            _ => None,
        }
    }

    pub fn action(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "force",
            ServiceUpdate::DesiredCount(_) => "desired",
            ServiceUpdate::Revision(_) => "revision",
            ServiceUpdate::Scaling(_) => "scaling",
            ServiceUpdate::StopScaling => "stop-scaling",
            ServiceUpdate::StopDeployment(_) => "stop-deployment",
            ServiceUpdate::AnswerHook { go_on: true, .. } => "continue",
            ServiceUpdate::AnswerHook { go_on: false, .. } => "roll-back",
        }
    }

    pub fn value(&self) -> String {
        match self {
            ServiceUpdate::ForceNewDeployment => String::new(),
            ServiceUpdate::DesiredCount(n) => n.to_string(),
            ServiceUpdate::Revision(r) => r.clone(),
            ServiceUpdate::Scaling(scaling) => scaling.encode(),
            ServiceUpdate::StopScaling => String::new(),
            ServiceUpdate::StopDeployment(arn) => arn.clone(),
            ServiceUpdate::AnswerHook {
                deployment, hook, ..
            } => format!("{deployment} {hook}"),
        }
    }

    /// The catalog key of its name.
    pub fn action_title(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "ui.force_new_deployment",
            ServiceUpdate::DesiredCount(_) => "ui.update_desired",
            ServiceUpdate::Revision(_) => "ui.update_revision",
            ServiceUpdate::Scaling(_) => "ui.update_scaling",
            ServiceUpdate::StopScaling => "ui.stop_scaling",
            ServiceUpdate::StopDeployment(_) => "ui.stop_deployment",
            ServiceUpdate::AnswerHook { go_on: true, .. } => "ui.continue_deployment",
            ServiceUpdate::AnswerHook { go_on: false, .. } => "ui.roll_back_deployment",
        }
    }

    /// The catalog key of its confirmation's button.
    pub fn submit_label(&self) -> &'static str {
        match self {
            ServiceUpdate::StopDeployment(_) | ServiceUpdate::AnswerHook { .. } => {
                self.action_title()
            }
            _ => "ui.send_update",
        }
    }

    /// What its explanation names besides the service's own values: the
    /// deployment (by its id) and the hook it answers.
    pub fn words(&self) -> Vec<(&'static str, String)> {
        let id = |arn: &str| short_revision(arn).to_string();
        match self {
            ServiceUpdate::StopDeployment(arn) => vec![("deployment", id(arn))],
            ServiceUpdate::AnswerHook {
                deployment, hook, ..
            } => vec![("deployment", id(deployment)), ("hook", hook.clone())],
            _ => Vec::new(),
        }
    }

    /// The catalog key that says what it will do.
    pub fn explanation(&self) -> &'static str {
        match self {
            ServiceUpdate::ForceNewDeployment => "h.update_force",
            ServiceUpdate::DesiredCount(0) => "h.update_desired_zero",
            ServiceUpdate::DesiredCount(_) => "h.update_desired",
            ServiceUpdate::Revision(_) => "h.update_revision",
            ServiceUpdate::Scaling(_) => "h.update_scaling",
            ServiceUpdate::StopScaling => "h.stop_scaling",
            ServiceUpdate::StopDeployment(_) => "h.stop_deployment",
            ServiceUpdate::AnswerHook { go_on: true, .. } => "h.continue_deployment",
            ServiceUpdate::AnswerHook { go_on: false, .. } => "h.roll_back_deployment",
        }
    }

    /// The calls it sends, in order, given the service's auto scaling as
    /// read (`scaled`). Empty when there is nothing to send: stopping
    /// auto scaling the service does not have.
    pub fn calls(
        &self,
        cluster: &str,
        service: &str,
        scaled: Option<&ScalingRead>,
    ) -> Vec<ApiCall> {
        let mut input = json!({"cluster": cluster, "service": service});
        match self {
            ServiceUpdate::ForceNewDeployment => input["forceNewDeployment"] = json!(true),
            ServiceUpdate::DesiredCount(n) => input["desiredCount"] = json!(n),
            ServiceUpdate::Revision(r) => input["taskDefinition"] = json!(r),
            ServiceUpdate::Scaling(wanted) => {
                return match scaled {
                    Some(read) => read.change_to(wanted, cluster, service),
                    None => wanted.calls(cluster, service, "").to_vec(),
                };
            }
            ServiceUpdate::StopScaling => {
                return scaled
                    .map(|read| read.stop(cluster, service))
                    .unwrap_or_default();
            }
            ServiceUpdate::StopDeployment(arn) => {
                if !is_deployment_of(arn, cluster, service) {
                    return Vec::new();
                }
                return vec![ApiCall::new(
                    Operation::StopServiceDeployment,
                    json!({"serviceDeploymentArn": arn, "stopType": "ROLLBACK"}),
                )];
            }
            ServiceUpdate::AnswerHook {
                deployment,
                hook,
                go_on,
            } => {
                if !is_deployment_of(deployment, cluster, service) {
                    return Vec::new();
                }
                return vec![ApiCall::new(
                    Operation::ContinueServiceDeployment,
                    json!({
                        "serviceDeploymentArn": deployment,
                        "hookId": hook,
                        "action": if *go_on { "CONTINUE" } else { "ROLLBACK" },
                    }),
                )];
            }
        }
        vec![ApiCall::new(Operation::UpdateService, input)]
    }

    /// What AWS would refuse of a scaling update, beside its fields; the
    /// requests metric needs the label a policy of the service counts by.
    pub fn issues(&self, desired: i64, scaled: Option<&ScalingRead>) -> Vec<Issue> {
        let ServiceUpdate::Scaling(wanted) = self else {
            return Vec::new();
        };
        let label_known = scaled.is_some_and(|r| !r.resource_label.is_empty());
        let mut issues = wanted.validate(desired, label_known);
        for issue in &mut issues {
            // A running service's label comes only from a requests policy
            // it has, not from a load balancer a plan makes.
            if issue.key == "v.scaling_requests_need_lb" {
                issue.key = "v.update_scaling_requests";
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_is_one_update_service_request() {
        let force = ServiceUpdate::parse("force", "", "web").unwrap();
        assert_eq!(
            force.calls("c", "s", None)[0].input,
            json!({"cluster": "c", "service": "s", "forceNewDeployment": true})
        );
        let desired = ServiceUpdate::parse("desired", " 3 ", "web").unwrap();
        assert_eq!(desired.calls("c", "s", None)[0].input["desiredCount"], 3);
        assert_eq!(desired.value(), "3");
        let revision = ServiceUpdate::parse("revision", "web:07", "web").unwrap();
        assert_eq!(
            revision.calls("c", "s", None)[0].input["taskDefinition"],
            "web:7"
        );
        assert_eq!(
            revision.calls("c", "s", None)[0].title(),
            "ecs:UpdateService"
        );
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

    const DEPLOYMENT: &str =
        "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/c/s/new7k2";

    #[test]
    fn a_deployment_is_stopped_or_its_hook_answered_only_on_its_own_service() {
        let stop = ServiceUpdate::parse("stop-deployment", DEPLOYMENT, "web").unwrap();
        assert_eq!(
            stop.calls("c", "s", None)[0].input,
            json!({"serviceDeploymentArn": DEPLOYMENT, "stopType": "ROLLBACK"})
        );
        let value = format!("{DEPLOYMENT} ecs-pause-e7tK9G_W");
        for (action, sent) in [("continue", "CONTINUE"), ("roll-back", "ROLLBACK")] {
            let answer = ServiceUpdate::parse(action, &value, "web").unwrap();
            let calls = answer.calls("c", "s", None);
            assert_eq!(calls[0].title(), "ecs:ContinueServiceDeployment");
            assert_eq!(calls[0].input["action"], sent);
            assert_eq!(calls[0].input["hookId"], "ecs-pause-e7tK9G_W");
            assert_eq!(answer.value(), value);
            // Another service's deployment sends nothing from this page.
            assert!(answer.calls("c", "other", None).is_empty());
        }
        assert!(stop.calls("other", "s", None).is_empty());
        assert_eq!(
            ServiceUpdate::parse("stop-deployment", "arn:aws:ecs:x", "web"),
            None
        );
        let bad_hook = format!("{DEPLOYMENT} ecs pause");
        assert_eq!(ServiceUpdate::parse("continue", &bad_hook, "web"), None);
        assert_eq!(ServiceUpdate::parse("continue", DEPLOYMENT, "web"), None);
    }
}
