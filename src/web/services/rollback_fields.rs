//! The service form's "what fails a deployment" fields: CloudWatch alarms,
//! the circuit breaker's threshold, lifecycle hooks. Read into the draft's
//! deployment configuration, and shown from it.

use crate::i18n::Tr;
use crate::model::account::RoleSummary;
use crate::model::permissions::trusts_service;
use crate::model::service::draft::ServiceDraft;
use crate::model::service::rollback::{
    DeploymentAlarms, HookTarget, HookTimeout, LifecycleHook, MAX_HOOKS, STAGES,
    ThresholdConfiguration, ThresholdType,
};
use crate::model::service::shift::INFRASTRUCTURE_ROLE_ARN;
use crate::model::service::traffic::ECS_SERVICE;
use crate::model::service::{CircuitBreaker, DeploymentConfiguration};
use crate::web::form::{Choice, FormData, Pick};

/// A hook's role choice: the infrastructure role (made by the plan, with
/// leave to call the function, or the one chosen for moving traffic).
pub const INFRASTRUCTURE: &str = "infrastructure";
/// Alarm checkboxes are named `alarmName.<name>`.
const ALARM_PREFIX: &str = "alarmName.";

/// The circuit breaker, its threshold (sent only when not AWS's default)
/// and the alarms, read into `deployment`; whether the plan makes the 5xx
/// alarm.
pub fn decode(form: &mut FormData, deployment: &mut DeploymentConfiguration) -> bool {
    let (enable, rollback) = (form.checked("circuitBreaker"), form.checked("rollback"));
    let default = ThresholdConfiguration::default();
    let threshold = ThresholdConfiguration {
        kind: ThresholdType::parse(&form.text("circuitBreaker.thresholdType")).unwrap_or_default(),
        value: form
            .int("circuitBreaker.thresholdValue")
            .unwrap_or(default.value),
    };
    deployment.deployment_circuit_breaker = (enable || rollback).then_some(CircuitBreaker {
        enable,
        rollback,
        // AWS resets the count when a task becomes healthy unless told not to.
        reset_on_healthy_task: form.checked("circuitBreaker.keepCount").then_some(false),
        threshold_configuration: (threshold != default).then_some(threshold),
    });
    let create = form.checked("alarms.create");
    let names = form.names_under(ALARM_PREFIX);
    deployment.alarms = (create || !names.is_empty()).then(|| DeploymentAlarms {
        alarm_names: names,
        rollback: form.checked("alarms.rollback"),
        enable: true,
    });
    create
}

/// The hook rows, read once the infrastructure role is known: a row
/// with no type is empty.
pub fn decode_hooks(form: &mut FormData, draft: &mut ServiceDraft) {
    let infrastructure = if draft.shift.creates_role() {
        INFRASTRUCTURE_ROLE_ARN.to_string()
    } else {
        draft.shift.role_arn.clone()
    };
    let mut hooks = Vec::new();
    for n in form.rows("hook.").into_iter().take(MAX_HOOKS) {
        let at = |field: &str| format!("hook.{n}.{field}");
        let target = match form.text(&at("type")).as_str() {
            "PAUSE" => HookTarget::Pause,
            "AWS_LAMBDA" => HookTarget::AwsLambda,
            _ => continue,
        };
        let lambda = target == HookTarget::AwsLambda;
        let role = form.text(&at("role"));
        let default = HookTimeout::default();
        hooks.push(LifecycleHook {
            target_type: target,
            hook_target_arn: lambda.then(|| form.text(&at("function"))),
            role_arn: lambda.then(|| {
                if role == INFRASTRUCTURE {
                    infrastructure.clone()
                } else {
                    role
                }
            }),
            lifecycle_stages: STAGES
                .iter()
                .filter(|stage| form.checked(&at(&format!("stage.{stage}"))))
                .map(|stage| stage.to_string())
                .collect(),
            timeout_configuration: Some(HookTimeout {
                timeout_in_minutes: form
                    .int(&at("timeout"))
                    .unwrap_or(default.timeout_in_minutes),
                action: form.opt(&at("timeoutAction")).unwrap_or(default.action),
            }),
        });
    }
    draft.service.deployment_configuration.lifecycle_hooks = hooks;
}

/// What the form shows of the rollback fields.
pub struct RollbackView {
    pub threshold_types: Vec<Choice>,
    pub threshold_value: i64,
    pub keep_count: bool,
    pub alarms: Vec<Pick>,
    pub create_alarm: bool,
    pub alarm_name: String,
    pub alarms_rollback: bool,
    pub hooks: Vec<HookRow>,
}

/// One lifecycle hook's row (`hook.0.`); the last is empty, for another.
pub struct HookRow {
    pub p: String,
    pub n: usize,
    pub types: Vec<Choice>,
    pub stages: Vec<Pick>,
    pub function: String,
    pub roles: Vec<Choice>,
    pub timeout: i64,
    pub timeout_actions: Vec<Choice>,
}

impl HookRow {
    /// A field's path (`hook.0.role`), which its errors are under.
    pub fn at(&self, field: &str) -> String {
        format!("{}{field}", self.p)
    }
}

impl RollbackView {
    /// `alarms`: the region's first alarm names; `roles`: the account's
    /// roles, those ECS may assume offered to call a function.
    pub fn new(tr: Tr, draft: &ServiceDraft, alarms: &[String], roles: &[RoleSummary]) -> Self {
        let deployment = &draft.service.deployment_configuration;
        let breaker = deployment.deployment_circuit_breaker.unwrap_or_default();
        let threshold = breaker.threshold_configuration.unwrap_or_default();
        let chosen = deployment.alarms.clone().unwrap_or(DeploymentAlarms {
            rollback: true,
            ..DeploymentAlarms::default()
        });
        let mut names: Vec<&String> = alarms.iter().collect();
        names.extend(chosen.alarm_names.iter().filter(|n| !alarms.contains(n)));
        let mut hooks: Vec<HookRow> = deployment
            .lifecycle_hooks
            .iter()
            .enumerate()
            .map(|(n, hook)| hook_row(tr, n, Some(hook), roles))
            .collect();
        if hooks.len() < MAX_HOOKS {
            hooks.push(hook_row(tr, hooks.len(), None, roles));
        }
        Self {
            threshold_types: Choice::list(
                &[
                    ("BOUNDED_PERCENT", tr.t("ui.threshold_bounded_percent")),
                    ("COUNT", tr.t("ui.threshold_count")),
                    ("UNBOUNDED_PERCENT", tr.t("ui.threshold_unbounded_percent")),
                ],
                threshold.kind.name(),
            ),
            threshold_value: threshold.value,
            keep_count: breaker.reset_on_healthy_task == Some(false),
            alarms: names
                .into_iter()
                .map(|name| Pick {
                    name: format!("{ALARM_PREFIX}{name}"),
                    label: name.clone(),
                    detail: String::new(),
                    checked: chosen.alarm_names.contains(name),
                })
                .collect(),
            create_alarm: draft.error_alarm,
            alarm_name: draft.error_alarm_name(),
            alarms_rollback: chosen.rollback,
            hooks,
        }
    }
}

fn hook_row(tr: Tr, n: usize, hook: Option<&LifecycleHook>, roles: &[RoleSummary]) -> HookRow {
    let p = format!("hook.{n}.");
    let kind = match hook.map(|h| h.target_type) {
        None => "",
        Some(HookTarget::Pause) => "PAUSE",
        Some(HookTarget::AwsLambda) => "AWS_LAMBDA",
    };
    let role = hook.and_then(|h| h.role_arn.as_deref()).unwrap_or_default();
    let current = if role.is_empty() || role == INFRASTRUCTURE_ROLE_ARN {
        INFRASTRUCTURE
    } else {
        role
    };
    let mut role_choices = vec![Choice {
        value: INFRASTRUCTURE.into(),
        label: tr.t("ui.hook_infrastructure_role").to_string(),
        selected: current == INFRASTRUCTURE,
    }];
    role_choices.extend(
        roles
            .iter()
            .filter(|r| trusts_service(&r.trust, ECS_SERVICE))
            .map(|r| Choice {
                value: r.arn.clone(),
                label: r.name.clone(),
                selected: r.arn == current,
            }),
    );
    if !role_choices.iter().any(|c| c.selected) {
        role_choices.push(Choice {
            value: current.to_string(),
            label: current.to_string(),
            selected: true,
        });
    }
    let timeout = hook
        .and_then(|h| h.timeout_configuration.clone())
        .unwrap_or_default();
    HookRow {
        stages: STAGES
            .iter()
            .map(|stage| Pick {
                name: format!("{p}stage.{stage}"),
                label: stage.to_string(),
                detail: tr
                    .t(&format!("h.stage_{}", stage.to_lowercase()))
                    .to_string(),
                checked: hook.is_some_and(|h| h.lifecycle_stages.iter().any(|s| s == stage)),
            })
            .collect(),
        types: Choice::list(
            &[
                ("", tr.t("ui.hook_none")),
                ("PAUSE", tr.t("ui.hook_pause")),
                ("AWS_LAMBDA", tr.t("ui.hook_lambda")),
            ],
            kind,
        ),
        function: hook
            .and_then(|h| h.hook_target_arn.clone())
            .unwrap_or_default(),
        roles: role_choices,
        timeout: timeout.timeout_in_minutes,
        timeout_actions: Choice::list(
            &[
                ("ROLLBACK", tr.t("ui.hook_timeout_rollback")),
                ("CONTINUE", tr.t("ui.hook_timeout_continue")),
            ],
            &timeout.action,
        ),
        n,
        p,
    }
}
