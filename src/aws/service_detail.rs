//! What a service's page reads besides the service itself — its targets'
//! health, its tasks, a container's log — and what its actions send. Each
//! read is bounded by what the page shows, not by the account: targets of
//! the service's own groups, at most 100 running and 100 stopped tasks
//! described 100 at a time, the newest lines of one stream.

use std::collections::HashSet;

use aws_sdk_ecs::types::DesiredStatus;
use futures_util::future::join_all;
use serde_json::Value;

use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::service::logs::{LogLine, LogStream, TAIL_LINES};
use crate::model::service::troubleshoot::{ContainerState, TargetHealth, TaskSummary};
use crate::model::service::usage::Usage;

/// ListTasks and DescribeTasks both stop at 100.
const TASK_PAGE: i32 = 100;
/// Stopped tasks shown, newest first.
pub const STOPPED_SHOWN: usize = 10;

/// `2026-11-29 21:03:06 UTC`: the model's one way of showing a time.
pub(super) fn readable(t: Option<&aws_smithy_types::DateTime>) -> String {
    t.map(|t| crate::model::revision::readable_time(t.as_secs_f64()))
        .unwrap_or_default()
}

impl Aws {
    /// Each target of `groups` with its health: one call per group, at once.
    pub async fn target_health(&self, groups: &[String]) -> Result<Vec<TargetHealth>, AwsError> {
        let answers = join_all(groups.iter().map(|arn| {
            self.elbv2
                .describe_target_health()
                .target_group_arn(arn)
                .send()
        }))
        .await;
        let mut targets = Vec::new();
        for (group, answer) in groups.iter().zip(answers) {
            for description in answer?.target_health_descriptions() {
                let health = description.target_health();
                let target = description.target();
                targets.push(TargetHealth {
                    target_group: group.rsplit(':').next().unwrap_or(group).to_string(),
                    target: match (target.and_then(|t| t.id()), target.and_then(|t| t.port())) {
                        (Some(id), Some(port)) => format!("{id}:{port}"),
                        (Some(id), None) => id.to_string(),
                        _ => String::new(),
                    },
                    state: health
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    reason: health
                        .and_then(|h| h.reason())
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_default(),
                    description: health
                        .and_then(|h| h.description())
                        .unwrap_or_default()
                        .to_string(),
                });
            }
        }
        Ok(targets)
    }

    /// The service's running tasks and its newest stopped ones: one
    /// ListTasks each and one DescribeTasks per hundred, all at once.
    pub async fn service_tasks(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<TaskSummary>, AwsError> {
        let list = |status: DesiredStatus| {
            self.ecs
                .list_tasks()
                .cluster(cluster)
                .service_name(service)
                .desired_status(status)
                .max_results(TASK_PAGE)
                .send()
        };
        let (running, stopped) =
            tokio::join!(list(DesiredStatus::Running), list(DesiredStatus::Stopped));
        let mut arns = running?.task_arns().to_vec();
        arns.extend(stopped?.task_arns().iter().cloned());
        let mut tasks = self.describe_tasks(cluster, &arns).await?;
        // Running first; the stopped ones newest first, the last few only.
        tasks.sort_by(|a, b| {
            (a.stopped(), &b.stopped_at, &b.started_at).cmp(&(
                b.stopped(),
                &a.stopped_at,
                &a.started_at,
            ))
        });
        let running = tasks.iter().take_while(|t| !t.stopped()).count();
        tasks.truncate(running + STOPPED_SHOWN);
        Ok(tasks)
    }

    /// One task of `cluster` by its id; None when ECS no longer knows it.
    pub async fn task(&self, cluster: &str, id: &str) -> Result<Option<TaskSummary>, AwsError> {
        Ok(self
            .describe_tasks(cluster, &[id.to_string()])
            .await?
            .into_iter()
            .next())
    }

    async fn describe_tasks(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> Result<Vec<TaskSummary>, AwsError> {
        let pages = join_all(arns.chunks(TASK_PAGE as usize).map(|chunk| {
            self.ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk.to_vec()))
                .send()
        }))
        .await;
        let mut tasks = Vec::new();
        for page in pages {
            tasks.extend(page?.tasks().iter().map(summary_of));
        }
        Ok(tasks)
    }

    /// The newest lines of `stream` (oldest first) and the token that asks
    /// for lines after them; with `after`, only the lines after that token.
    pub async fn log_tail(
        &self,
        stream: &LogStream,
        after: Option<String>,
    ) -> Result<(Vec<LogLine>, Option<String>), AwsError> {
        let following = after.is_some();
        let answer = self
            .logs
            .get_log_events()
            .log_group_name(&stream.group)
            .log_stream_name(&stream.stream)
            .limit(TAIL_LINES)
            .start_from_head(following)
            .set_next_token(after)
            .send()
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                let error = AwsError::from(error);
                // The stream appears with the container's first line.
                return if error.code == "ResourceNotFoundException" {
                    Ok((Vec::new(), None))
                } else {
                    Err(error)
                };
            }
        };
        let lines = answer
            .events()
            .iter()
            .map(|e| LogLine {
                at: readable(
                    e.timestamp()
                        .map(aws_smithy_types::DateTime::from_millis)
                        .as_ref(),
                ),
                message: e.message().unwrap_or_default().trim_end().to_string(),
            })
            .collect();
        Ok((lines, answer.next_forward_token().map(str::to_string)))
    }

    /// The service page's actions and a tear-down's first step: the body
    /// is the request the confirmation showed, byte for byte.
    pub async fn update_service(&self, input: &Value) -> Result<Value, AwsError> {
        send_json!(
            self.ecs.update_service().service("placeholder"),
            input.to_string()
        )
    }

    /// Who else uses what a tear-down would delete: the target groups and
    /// security groups of the cluster's other services (its first hundred),
    /// listeners of `balancers` and rules of `listeners` it did not make.
    pub async fn usage(
        &self,
        cluster: &str,
        service: &str,
        balancers: &[String],
        listeners: &[String],
        family: Option<&str>,
    ) -> Result<Usage, AwsError> {
        let listed = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(100)
            .send()
            .await?;
        let (described, balancer_listeners, listener_rules, scaling, families) = tokio::join!(
            join_all(listed.service_arns().chunks(10).map(|arns| {
                self.ecs
                    .describe_services()
                    .cluster(cluster)
                    .set_services(Some(arns.to_vec()))
                    .send()
            })),
            join_all(balancers.iter().map(|arn| self.listeners(arn))),
            join_all(listeners.iter().map(|arn| self.rule_priorities(arn))),
            self.service_scaling(cluster, service),
            async {
                // Asked only when the run made the execution role: any
                // other family may run with it.
                match family {
                    Some(_) => self
                        .ecs
                        .list_task_definition_families()
                        .status(aws_sdk_ecs::types::TaskDefinitionFamilyStatus::Active)
                        .max_results(2)
                        .send()
                        .await
                        .map(|f| f.families().to_vec())
                        .map_err(AwsError::from),
                    None => Ok(Vec::new()),
                }
            },
        );
        let mut usage = Usage {
            scaling: scaling?,
            role_in_use: families?.iter().any(|f| Some(f.as_str()) != family),
            ..Usage::default()
        };
        for page in described {
            for other in page?.services() {
                if other.service_name() == Some(service) {
                    continue;
                }
                // A draining service still keeps its cluster.
                usage.cluster_in_use = true;
                if other.status() != Some("ACTIVE") {
                    continue;
                }
                usage.target_groups.extend(
                    other
                        .load_balancers()
                        .iter()
                        .filter_map(|lb| lb.target_group_arn().map(str::to_string)),
                );
                if let Some(network) = other
                    .network_configuration()
                    .and_then(|n| n.awsvpc_configuration())
                {
                    usage
                        .security_groups
                        .extend(network.security_groups().iter().cloned());
                }
            }
        }
        let ours: HashSet<&String> = listeners.iter().collect();
        for (arn, found) in balancers.iter().zip(balancer_listeners) {
            if found?.iter().any(|(listener, _)| !ours.contains(listener)) {
                usage.shared.insert(arn.clone());
            }
        }
        // A listener the wizard made has only its default rule.
        for (arn, priorities) in listeners.iter().zip(listener_rules) {
            if !priorities?.is_empty() {
                usage.shared.insert(arn.clone());
            }
        }
        Ok(usage)
    }
}

fn summary_of(task: &aws_sdk_ecs::types::Task) -> TaskSummary {
    let text = |s: Option<&str>| s.unwrap_or_default().to_string();
    TaskSummary {
        arn: text(task.task_arn()),
        revision: text(task.task_definition_arn())
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        last_status: text(task.last_status()),
        desired_status: text(task.desired_status()),
        health: task
            .health_status()
            .map(|h| h.as_str().to_string())
            .unwrap_or_default(),
        started_at: readable(task.started_at()),
        stopped_at: readable(task.stopped_at()),
        stop_code: task
            .stop_code()
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        stopped_reason: text(task.stopped_reason()),
        private_ip: task
            .containers()
            .iter()
            .flat_map(|c| c.network_interfaces())
            .find_map(|n| n.private_ipv4_address())
            .unwrap_or_default()
            .to_string(),
        containers: task
            .containers()
            .iter()
            .map(|c| ContainerState {
                name: text(c.name()),
                last_status: text(c.last_status()),
                health: c
                    .health_status()
                    .map(|h| h.as_str().to_string())
                    .unwrap_or_default(),
                exit_code: c.exit_code(),
                reason: text(c.reason()),
            })
            .collect(),
    }
}
