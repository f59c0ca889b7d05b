//! The service page's "Deployment history": each deployment ECS keeps, in
//! words; while one runs, its stage, traffic weights, bake time left and a
//! hook awaiting a person.

use crate::i18n::Tr;
use crate::model::service::deployments::{History, ServiceDeployment, short_revision};

pub struct HistoryRow {
    pub id: String,
    /// The deployment's ARN: what Stop names.
    pub arn: String,
    /// `ARN hookId` of a hook awaiting a person (what Continue and Roll
    /// back name), or empty.
    pub hook: String,
    pub status: String,
    pub running: bool,
    pub started: String,
    pub finished: String,
    /// `111 → 222`: the revisions it moved from and to.
    pub revisions: String,
    /// The page comparing them (the first it moved from and the one it
    /// moved to), or empty.
    pub compare: String,
    /// Why it rolled back, or empty.
    pub rollback: String,
    /// "1 of 3 failed tasks" against the circuit breaker's threshold.
    pub failed: String,
    /// While it runs: its stage, weights, bake time left, hook awaiting.
    pub progress: Vec<String>,
}

/// What the section shows: rows, or why there are none.
pub struct HistoryView {
    pub rows: Vec<HistoryRow>,
    /// The endpoint does not serve ECS's history (an emulator).
    pub not_served: bool,
}

impl HistoryView {
    pub fn empty() -> Self {
        Self {
            rows: Vec::new(),
            not_served: false,
        }
    }

    /// `service_url`: the service page, which the compare links hang from.
    pub fn new(tr: Tr, history: &History, now: f64, service_url: &str) -> Self {
        match history {
            History::NotServed => Self {
                rows: Vec::new(),
                not_served: true,
            },
            History::Read(deployments) => Self {
                rows: deployments
                    .iter()
                    .map(|d| row(tr, d, now, service_url))
                    .collect(),
                not_served: false,
            },
        }
    }
}

fn row(tr: Tr, d: &ServiceDeployment, now: f64, service_url: &str) -> HistoryRow {
    let sources: Vec<&str> = d
        .source_service_revisions
        .iter()
        .map(|r| short_revision(&r.arn))
        .collect();
    let target = d
        .target_service_revision
        .as_ref()
        .map(|r| short_revision(&r.arn))
        .unwrap_or_default();
    let revisions = if sources.is_empty() {
        target.to_string()
    } else {
        format!("{} → {target}", sources.join(", "))
    };
    let compare = match (
        d.source_service_revisions.first(),
        &d.target_service_revision,
    ) {
        (Some(from), Some(to)) if from.arn != to.arn => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("a", &from.arn)
                .append_pair("b", &to.arn)
                .finish();
            format!("{service_url}/revisions/compare?{query}")
        }
        _ => String::new(),
    };
    let mut progress = Vec::new();
    if d.running() {
        if let Some(stage) = &d.lifecycle_stage {
            progress.push(tr.fmt("ui.deployment_stage", &[("stage", stage.clone())]));
        }
        if let Some(weight) = d
            .target_service_revision
            .as_ref()
            .and_then(|r| r.requested_production_traffic_weight)
        {
            progress.push(tr.fmt(
                "ui.deployment_weights",
                &[
                    ("new", weight.to_string()),
                    ("old", (100.0 - weight).to_string()),
                ],
            ));
        }
        if let Some(left) = d.bake_left(now) {
            progress.push(tr.fmt("ui.deployment_bake_left", &[("minutes", left.to_string())]));
        }
        if let Some(hook) = d.awaiting() {
            progress.push(tr.fmt(
                "ui.deployment_awaiting",
                &[
                    ("hook", hook.hook_id.clone()),
                    ("then", hook.timeout_action.clone().unwrap_or_default()),
                ],
            ));
        }
    }
    HistoryRow {
        id: d.id().to_string(),
        arn: d.service_deployment_arn.clone(),
        hook: d
            .awaiting()
            .map(|h| format!("{} {}", d.service_deployment_arn, h.hook_id))
            .unwrap_or_default(),
        status: d.status.clone(),
        running: d.running(),
        started: d.started(),
        finished: d.finished(),
        revisions,
        compare,
        rollback: d
            .rollback
            .as_ref()
            .map(|r| r.reason.clone())
            .or_else(|| d.status_reason.clone())
            .unwrap_or_default(),
        failed: d
            .deployment_circuit_breaker
            .as_ref()
            .filter(|b| b.status != "DISABLED")
            .map(|b| {
                tr.fmt(
                    "ui.deployment_failed_tasks",
                    &[
                        ("count", b.failure_count.to_string()),
                        ("threshold", b.threshold.to_string()),
                    ],
                )
            })
            .unwrap_or_default(),
        progress,
    }
}
