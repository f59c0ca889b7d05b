//! The draft's part of what fails a deployment: the 5xx alarm the plan
//! makes (PutMetricAlarm over the service's target groups), the alarms
//! CreateService names, and the infrastructure role's leave to call the
//! hooks' Lambda functions, with their Terraform.

use serde_json::{Value, json};

use super::draft::{LoadBalancing, ServiceDraft};
use super::rollback::DeploymentAlarms;
use super::shift::{ALTERNATE_TARGET_GROUP, INFRASTRUCTURE_ROLE_ARN};
use crate::model::api_call::ApiCall;
use crate::model::hcl::{hcl_value, quote, resource_label};
use crate::model::operation::Operation;
use crate::model::role::compact;
use crate::model::validate::Issue;

/// Step ids, shared with the plan that orders them.
pub const ERROR_ALARM: &str = "ErrorAlarm";
pub const HOOK_POLICY: &str = "HookInvokePolicy";
/// The inline policy that lets the infrastructure role call the hooks.
pub const HOOK_POLICY_NAME: &str = "InvokeDeploymentHooks";

/// The 5xx alarm's metric: ALB's count of 5xx answers from a service's
/// targets, summed a minute at a time.
const FIVE_XX: &str = "HTTPCode_Target_5XX_Count";
/// Five or more 5xx answers in each of two minutes running fails the
/// deployment: one bad request does not, a revision that keeps failing does.
const ALARM_THRESHOLD: f64 = 5.0;
const ALARM_MINUTES: i64 = 2;

impl ServiceDraft {
    /// The name of the alarm the plan makes: `web-target-5xx`.
    pub fn error_alarm_name(&self) -> String {
        format!("{}-target-5xx", self.service.service_name)
    }

    /// The 5xx alarm's name and its Terraform expression, when the plan makes it.
    pub fn error_alarm_reference(&self) -> Option<(String, String)> {
        self.makes_error_alarm().then(|| {
            let name = self.error_alarm_name();
            let label = resource_label(&name, "alarm");
            (
                name,
                format!("aws_cloudwatch_metric_alarm.{label}.alarm_name"),
            )
        })
    }

    /// The plan makes the 5xx alarm: asked for, with a target group the
    /// plan makes (its load balancer is then known).
    pub fn makes_error_alarm(&self) -> bool {
        self.error_alarm && self.makes_listener()
    }

    /// The load balancer's `app/name/id`, as ALB's metrics name it.
    pub fn load_balancer_label(&self) -> Option<String> {
        match self.load_balancing {
            LoadBalancing::New => Some("${CreateLoadBalancer.ResourceLabel}".into()),
            LoadBalancing::ExistingLoadBalancer | LoadBalancing::ExistingListener => {
                let at = self.load_balancer_arn.find("app/")?;
                Some(self.load_balancer_arn[at..].to_string())
            }
            LoadBalancing::None | LoadBalancing::Existing => None,
        }
    }

    /// The alarms CreateService is sent: those chosen, and the 5xx alarm
    /// when the plan makes it.
    pub fn alarms_request(&self) -> Option<DeploymentAlarms> {
        let mut alarms = self.service.deployment_configuration.alarms.clone()?;
        let name = self.error_alarm_name();
        if self.makes_error_alarm() && !alarms.alarm_names.contains(&name) {
            alarms.alarm_names.push(name);
        }
        Some(alarms)
    }

    /// PutMetricAlarm of the 5xx alarm: the sum over the service's target
    /// groups (both, when ECS moves traffic between two).
    fn error_alarm(&self) -> ApiCall {
        let load_balancer = self.load_balancer_label().unwrap_or_default();
        let mut groups = vec![("first", "${CreateTargetGroup.ResourceLabel}".to_string())];
        if self.shifts_traffic() {
            groups.push((
                "alternate",
                format!("${{{ALTERNATE_TARGET_GROUP}.ResourceLabel}}"),
            ));
        }
        let mut metrics: Vec<Value> = groups
            .iter()
            .map(|(id, group)| {
                json!({
                    "Id": id,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/ApplicationELB",
                            "MetricName": FIVE_XX,
                            "Dimensions": [
                                {"Name": "TargetGroup", "Value": group},
                                {"Name": "LoadBalancer", "Value": load_balancer},
                            ],
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                    "ReturnData": false,
                })
            })
            .collect();
        let sum: Vec<String> = groups
            .iter()
            .map(|(id, _)| format!("FILL({id}, 0)"))
            .collect();
        metrics.push(json!({
            "Id": "errors",
            "Expression": sum.join(" + "),
            "Label": "Target 5xx responses",
            "ReturnData": true,
        }));
        ApiCall::new(
            Operation::PutMetricAlarm,
            json!({
                "AlarmName": self.error_alarm_name(),
                "AlarmDescription": format!(
                    "5xx answers from service {}'s tasks: fails and rolls back its deployment",
                    self.service.service_name
                ),
                "Metrics": metrics,
                "EvaluationPeriods": ALARM_MINUTES,
                "DatapointsToAlarm": ALARM_MINUTES,
                "Threshold": ALARM_THRESHOLD,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
            }),
        )
    }

    /// The Lambda functions hooks call with the infrastructure role the
    /// plan makes: that role is allowed to call them.
    fn functions_called_by_new_role(&self) -> Vec<String> {
        self.service
            .deployment_configuration
            .lifecycle_hooks
            .iter()
            .filter(|h| h.role_arn.as_deref() == Some(INFRASTRUCTURE_ROLE_ARN))
            .filter_map(|h| h.hook_target_arn.clone())
            .collect()
    }

    /// The plan makes the infrastructure role, and hooks call functions
    /// with it: the role is given leave to call them.
    fn makes_hook_role(&self) -> bool {
        self.shifts_traffic() && self.shift.creates_role()
    }

    fn gives_hook_policy(&self) -> bool {
        self.makes_hook_role() && !self.functions_called_by_new_role().is_empty()
    }

    fn hook_policy(&self) -> Value {
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": self.functions_called_by_new_role(),
            }]
        })
    }

    /// The 5xx alarm, and the infrastructure role's permission to call
    /// the hooks' functions.
    pub fn rollback_calls(&self) -> Vec<(&'static str, ApiCall)> {
        let mut calls = Vec::new();
        if self.makes_error_alarm() {
            calls.push((ERROR_ALARM, self.error_alarm()));
        }
        if self.gives_hook_policy() {
            calls.push((
                HOOK_POLICY,
                ApiCall::new(
                    Operation::PutRolePolicy,
                    json!({
                        "RoleName": self.shift.role_name,
                        "PolicyName": HOOK_POLICY_NAME,
                        "PolicyDocument": compact(&self.hook_policy()),
                    }),
                ),
            ));
        }
        calls
    }

    /// What the draft's alarm and hooks need that the plan cannot give.
    pub fn rollback_issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if self.error_alarm && !self.makes_listener() {
            issues.push(Issue::error("alarms.create", "v.alarm_needs_lb"));
        }
        let uses_new_role = self
            .service
            .deployment_configuration
            .lifecycle_hooks
            .iter()
            .position(|h| h.role_arn.as_deref() == Some(INFRASTRUCTURE_ROLE_ARN));
        if let Some(n) = uses_new_role
            && !self.makes_hook_role()
        {
            issues.push(Issue::error(
                format!("hook.{n}.role"),
                "v.hook_role_not_made",
            ));
        }
        issues
    }

    /// The alarm and the role's policy as Terraform.
    pub fn rollback_terraform(&self) -> String {
        let mut hcl = String::new();
        if self.makes_error_alarm() {
            let call = self.error_alarm();
            let input = &call.input;
            let mut queries = String::new();
            for metric in input["Metrics"].as_array().into_iter().flatten() {
                let id = metric["Id"].as_str().unwrap_or_default();
                if let Some(expression) = metric["Expression"].as_str() {
                    queries.push_str(&format!(
                        "\n  metric_query {{\n    id          = {}\n    expression  = {}\n    label       = {}\n    return_data = true\n  }}\n",
                        quote(id),
                        quote(expression),
                        quote(metric["Label"].as_str().unwrap_or_default())
                    ));
                    continue;
                }
                let stat = &metric["MetricStat"];
                let dimension = |n: usize| {
                    let value = stat["Metric"]["Dimensions"][n]["Value"]
                        .as_str()
                        .unwrap_or_default();
                    self.arn_suffix(value).unwrap_or_else(|| quote(value))
                };
                queries.push_str(&format!(
                    "\n  metric_query {{\n    id = {}\n\n    metric {{\n      namespace   = \"AWS/ApplicationELB\"\n      metric_name = {}\n      period      = 60\n      stat        = \"Sum\"\n      dimensions = {{\n        TargetGroup  = {}\n        LoadBalancer = {}\n      }}\n    }}\n  }}\n",
                    quote(id),
                    quote(FIVE_XX),
                    dimension(0),
                    dimension(1)
                ));
            }
            hcl.push_str(&format!(
                "resource \"aws_cloudwatch_metric_alarm\" \"{}\" {{\n  alarm_name          = {}\n  alarm_description   = {}\n  comparison_operator = \"GreaterThanOrEqualToThreshold\"\n  evaluation_periods  = {ALARM_MINUTES}\n  datapoints_to_alarm = {ALARM_MINUTES}\n  threshold           = {ALARM_THRESHOLD}\n  treat_missing_data  = \"notBreaching\"\n{queries}}}\n\n",
                resource_label(&self.error_alarm_name(), "alarm"),
                quote(&self.error_alarm_name()),
                quote(input["AlarmDescription"].as_str().unwrap_or_default()),
            ));
        }
        if self.gives_hook_policy() {
            let role = resource_label(&self.shift.role_name, "role");
            hcl.push_str(&format!(
                "resource \"aws_iam_role_policy\" \"{role}_hooks\" {{\n  name   = {}\n  role   = aws_iam_role.{role}.name\n  policy = jsonencode({})\n}}\n\n",
                quote(HOOK_POLICY_NAME),
                hcl_value(&self.hook_policy(), 1)
            ));
        }
        hcl
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::deploy::plan::{fill_in, outputs_of};
    use crate::deploy::service_plan::plan;
    use crate::model::service::draft::tests::reference_002_draft;
    use crate::model::service::rollback::{
        HookTarget, HookTimeout, LifecycleHook, MAX_ALARMS, ThresholdConfiguration, ThresholdType,
    };
    use crate::model::service::shift::tests::reference_002_blue_green;

    const FUNCTION: &str = "arn:aws:lambda:ap-northeast-1:123456789012:function:smoke-test";

    fn errors(draft: &ServiceDraft) -> Vec<(String, &'static str)> {
        draft
            .issues()
            .into_iter()
            .filter(|i| i.is_error())
            .map(|i| (i.path, i.key))
            .collect()
    }

    fn pause(stages: &[&str]) -> LifecycleHook {
        LifecycleHook {
            target_type: HookTarget::Pause,
            lifecycle_stages: stages.iter().map(|s| s.to_string()).collect(),
            timeout_configuration: Some(HookTimeout::default()),
            ..LifecycleHook::default()
        }
    }

    #[test]
    fn the_5xx_alarm_sums_both_target_groups_and_the_service_waits_for_it() {
        let mut draft = reference_002_blue_green();
        draft.error_alarm = true;
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            alarm_names: vec!["cpu-high".into()],
            rollback: true,
            enable: true,
        });
        assert!(errors(&draft).is_empty(), "{:?}", draft.issues());
        let request = draft.service_request();
        assert_eq!(
            request.deployment_configuration.alarms.unwrap().alarm_names,
            ["cpu-high", "ecs-fargate-service-target-5xx"]
        );
        let calls = draft.calls();
        let alarm = &calls.iter().find(|(id, _)| *id == ERROR_ALARM).unwrap().1;
        assert_eq!(alarm.operation, Operation::PutMetricAlarm);
        assert_eq!(
            alarm.input["Metrics"][2]["Expression"],
            "FILL(first, 0) + FILL(alternate, 0)"
        );
        // The labels ALB's metrics are named by, read from the steps' answers.
        let plan = plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        let step = |id: &str| plan.steps.iter().find(|s| s.id == id).unwrap();
        assert!(
            step(ERROR_ALARM)
                .depends_on
                .contains(&"CreateLoadBalancer".to_string())
        );
        assert!(
            step("CreateService")
                .depends_on
                .contains(&ERROR_ALARM.to_string())
        );
        let mut outputs = outputs_of(
            step("CreateLoadBalancer"),
            &json!({"LoadBalancers": [{"LoadBalancerArn":
                "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/lb/50dc6c495c0c9188"}]}),
        );
        outputs.extend(outputs_of(
            step("CreateTargetGroup"),
            &json!({"TargetGroups": [{"TargetGroupArn":
                "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg/6d0ecf831eec9f09"}]}),
        ));
        outputs.extend(outputs_of(
            step(ALTERNATE_TARGET_GROUP),
            &json!({"TargetGroups": [{"TargetGroupArn":
                "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg-alt/73e2d6bc24d8a067"}]}),
        ));
        let sent = fill_in(&step(ERROR_ALARM).call.input, &outputs);
        assert_eq!(
            sent["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"],
            json!([{"Name": "TargetGroup", "Value": "targetgroup/tg/6d0ecf831eec9f09"},
                   {"Name": "LoadBalancer", "Value": "app/lb/50dc6c495c0c9188"}])
        );
        assert_eq!(
            sent["Metrics"][1]["MetricStat"]["Metric"]["Dimensions"][0]["Value"],
            "targetgroup/tg-alt/73e2d6bc24d8a067"
        );
        // Undone by name; one target group with a rolling update.
        assert_eq!(
            alarm.undo(&json!({})).unwrap().input,
            json!({"AlarmNames": ["ecs-fargate-service-target-5xx"]})
        );
        let mut rolling = reference_002_draft();
        rolling.error_alarm = true;
        rolling.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            rollback: true,
            enable: true,
            ..DeploymentAlarms::default()
        });
        let calls = rolling.calls();
        let alarm = &calls.iter().find(|(id, _)| *id == ERROR_ALARM).unwrap().1;
        assert_eq!(alarm.input["Metrics"].as_array().unwrap().len(), 2);
        assert_eq!(alarm.input["Metrics"][1]["Expression"], "FILL(first, 0)");
    }

    #[test]
    fn alarms_are_named_bounded_and_need_a_target_group_the_plan_makes() {
        let mut draft = reference_002_draft();
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            alarm_names: Vec::new(),
            rollback: true,
            enable: true,
        });
        assert_eq!(
            errors(&draft),
            [(
                "deploymentConfiguration.alarms".to_string(),
                "v.alarms_none"
            )]
        );
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            alarm_names: (0..=MAX_ALARMS)
                .map(|n| format!("a{n}"))
                .chain(["a,b".into()])
                .collect(),
            rollback: true,
            enable: true,
        });
        assert_eq!(
            errors(&draft),
            [
                (
                    "deploymentConfiguration.alarms".to_string(),
                    "v.alarms_too_many"
                ),
                ("deploymentConfiguration.alarms".to_string(), "v.alarm_name"),
            ]
        );
        let mut draft = reference_002_draft();
        draft.load_balancing = LoadBalancing::None;
        draft.new_security_group = false;
        draft.error_alarm = true;
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            rollback: true,
            enable: true,
            ..DeploymentAlarms::default()
        });
        let found = errors(&draft);
        assert!(
            found.contains(&("alarms.create".to_string(), "v.alarm_needs_lb")),
            "{found:?}"
        );
        assert!(!draft.calls().iter().any(|(id, _)| *id == ERROR_ALARM));
        let mut code_deploy = reference_002_draft();
        code_deploy.service.deployment_controller.kind = "CODE_DEPLOY".into();
        code_deploy
            .service
            .deployment_configuration
            .deployment_circuit_breaker = None;
        code_deploy.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            alarm_names: vec!["x".into()],
            rollback: true,
            enable: true,
        });
        assert!(errors(&code_deploy).contains(&(
            "deploymentConfiguration.alarms".to_string(),
            "v.alarms_code_deploy"
        )));
    }

    #[test]
    fn the_threshold_is_sent_in_aws_s_names_and_held_to_a_positive_count() {
        let mut draft = reference_002_draft();
        let breaker = draft
            .service
            .deployment_configuration
            .deployment_circuit_breaker
            .as_mut()
            .unwrap();
        breaker.threshold_configuration = Some(ThresholdConfiguration {
            kind: ThresholdType::Count,
            value: 0,
        });
        breaker.reset_on_healthy_task = Some(false);
        let request = draft.service_request().request();
        assert_eq!(
            request["deploymentConfiguration"]["deploymentCircuitBreaker"],
            json!({"enable": true, "rollback": true, "resetOnHealthyTask": false,
                   "thresholdConfiguration": {"type": "COUNT", "value": 0}})
        );
        assert_eq!(
            errors(&draft),
            [(
                "deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.value"
                    .to_string(),
                "v.range"
            )]
        );
    }

    #[test]
    fn hooks_are_checked_as_ecs_documents_them() {
        let mut draft = reference_002_blue_green();
        let hooks = &mut draft.service.deployment_configuration.lifecycle_hooks;
        hooks.push(pause(&["POST_TEST_TRAFFIC_SHIFT"]));
        assert!(errors(&draft).is_empty(), "{:?}", draft.issues());
        assert_eq!(
            draft.service_request().request()["deploymentConfiguration"]["lifecycleHooks"],
            json!([{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
                    "timeoutConfiguration": {"timeoutInMinutes": 1440, "action": "ROLLBACK"}}])
        );
        let hooks = &mut draft.service.deployment_configuration.lifecycle_hooks;
        hooks[0] = pause(&["PRODUCTION_TRAFFIC_SHIFT", "NOT_A_STAGE"]);
        hooks[0].timeout_configuration = Some(HookTimeout {
            timeout_in_minutes: 20161,
            action: "WAIT".into(),
        });
        hooks.push(LifecycleHook {
            target_type: HookTarget::AwsLambda,
            hook_target_arn: Some("arn:aws:lambda:ap-northeast-1:123:function:x".into()),
            role_arn: Some("not-a-role".into()),
            ..LifecycleHook::default()
        });
        assert_eq!(
            errors(&draft),
            [
                ("hook.0.stages".to_string(), "v.hook_pause_stage"),
                ("hook.0.stages".to_string(), "v.hook_stage"),
                ("hook.0.timeout".to_string(), "v.range"),
                ("hook.0.timeoutAction".to_string(), "v.hook_timeout_action"),
                ("hook.1.stages".to_string(), "v.hook_no_stage"),
                ("hook.1.function".to_string(), "v.hook_function"),
                ("hook.1.role".to_string(), "v.hook_role"),
            ]
        );
        // A rolling update is warned: most stages never come.
        let mut rolling = reference_002_draft();
        rolling
            .service
            .deployment_configuration
            .lifecycle_hooks
            .push(pause(&["PRE_SCALE_UP"]));
        let issues = rolling.issues();
        assert!(
            issues
                .iter()
                .any(|i| i.key == "v.hooks_rolling" && !i.is_error())
        );
    }

    #[test]
    fn a_lambda_hook_on_the_new_role_gets_leave_to_call_its_function() {
        let mut draft = reference_002_blue_green();
        draft
            .service
            .deployment_configuration
            .lifecycle_hooks
            .push(LifecycleHook {
                target_type: HookTarget::AwsLambda,
                hook_target_arn: Some(FUNCTION.into()),
                role_arn: Some(INFRASTRUCTURE_ROLE_ARN.into()),
                lifecycle_stages: vec!["POST_SCALE_UP".into()],
                timeout_configuration: None,
            });
        assert!(errors(&draft).is_empty(), "{:?}", draft.issues());
        let calls = draft.calls();
        let policy = &calls.iter().find(|(id, _)| *id == HOOK_POLICY).unwrap().1;
        assert_eq!(policy.operation, Operation::PutRolePolicy);
        let document: Value =
            serde_json::from_str(policy.input["PolicyDocument"].as_str().unwrap()).unwrap();
        assert_eq!(document["Statement"][0]["Resource"], json!([FUNCTION]));
        let plan = plan(&draft);
        assert_eq!(plan.check(), Ok(()));
        let hcl = draft.terraform();
        assert!(hcl.contains("resource \"aws_iam_role_policy\""), "{hcl}");
        assert!(hcl.contains("lifecycle_hook {"), "{hcl}");
        assert!(hcl.contains("role_arn         = aws_iam_role."), "{hcl}");
        // Without a role the plan makes, the choice has nothing to name.
        let mut chosen = draft.clone();
        chosen.shift.role_arn = "arn:aws:iam::123456789012:role/infra".into();
        assert!(!chosen.calls().iter().any(|(id, _)| *id == HOOK_POLICY));
        assert!(errors(&chosen).contains(&("hook.0.role".to_string(), "v.hook_role_not_made")));
    }

    #[test]
    fn the_alarm_and_the_service_s_alarms_are_terraform_too() {
        let mut draft = reference_002_blue_green();
        draft.error_alarm = true;
        draft.service.deployment_configuration.alarms = Some(DeploymentAlarms {
            rollback: true,
            enable: true,
            ..DeploymentAlarms::default()
        });
        draft
            .service
            .deployment_configuration
            .lifecycle_hooks
            .push(pause(&["POST_TEST_TRAFFIC_SHIFT"]));
        let hcl = draft.terraform();
        assert!(
            hcl.contains(
                "resource \"aws_cloudwatch_metric_alarm\" \"ecs_fargate_service_target_5xx\""
            ),
            "{hcl}"
        );
        assert!(
            hcl.contains("TargetGroup  = aws_lb_target_group.ecs_fargate_tg_alt.arn_suffix"),
            "{hcl}"
        );
        assert!(
            hcl.contains("LoadBalancer = aws_lb.ecs_fargate_alb.arn_suffix"),
            "{hcl}"
        );
        assert!(
            hcl.contains(
                "alarm_names = [aws_cloudwatch_metric_alarm.ecs_fargate_service_target_5xx.alarm_name]"
            ),
            "{hcl}"
        );
        assert!(
            hcl.contains("# A pause at POST_TEST_TRAFFIC_SHIFT"),
            "{hcl}"
        );
        assert!(!hcl.contains("${"), "{hcl}");
    }
}
