//! Runs a plan: the steps of each wave at the same time, each call written
//! to the journal before it is sent and again with AWS's answer, each
//! step's outputs filled into the steps after it. A refused step stops the
//! plan after its wave: what the wave's other steps made is recorded too.
//!
//! A run can be taken up again: steps an earlier attempt finished are not
//! sent (their answers give their outputs), and a step it started without
//! an answer is first looked for, and adopted when it exists. Answers that
//! mean "try again" (throttling, AWS's own errors, a role IAM has not yet
//! made usable everywhere) are retried with a growing pause.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::{Value, json};

use super::plan::{Plan, PlanError, Step, fill_in, outputs_of, references};
use crate::aws::{Aws, AwsError, NO_ANSWER, is_throttling};
use crate::model::api_call::ApiCall;
use crate::model::wait::{STILL_WAITING, Waited};
use crate::store::runs::StepStatus;

/// Where a plan's steps are written down, by their place in the plan.
pub trait PlanLog: Sync {
    /// The run's id, sent as the client token of calls that take one.
    fn run_id(&self) -> &str;

    fn record(
        &self,
        seq: usize,
        step: &str,
        call: &str,
        status: StepStatus,
        detail: &str,
        answer: Option<&Value>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// What an earlier attempt of the same run left of a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Earlier {
    /// Answered: here is the answer.
    Done(Value),
    /// Sent, or about to be, when the attempt was cut off.
    Unknown,
}

/// How often and how patiently an answer that means "try again" is retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retry {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Retry {
    /// About half a minute in all: throttling passes, and IAM makes a new
    /// role usable within seconds.
    pub const STANDARD: Retry = Retry {
        attempts: 6,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(16),
    };

    /// Deleting a security group right after its load balancer waits for
    /// the balancer's network interfaces to go, which takes minutes.
    pub fn for_cleanup(self) -> Retry {
        Retry {
            attempts: self.attempts * 2,
            max_delay: self.max_delay * 2,
            ..self
        }
    }

    /// The pause after failed attempt `attempt` (1, 2, …).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.first_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Answers worth another try: throttling, AWS's own failures, and ECS
/// not yet able to use a role IAM has just made.
pub fn is_transient(error: &AwsError) -> bool {
    let code = error.code.as_str();
    is_throttling(error)
        || matches!(
            code,
            "ServiceUnavailable"
                | "ServiceUnavailableException"
                | "InternalFailure"
                | "InternalError"
                | "InternalServerError"
                | "ServerException"
                | NO_ANSWER
        )
        || (code == "InvalidParameterException" && {
            let message = error.message.to_ascii_lowercase();
            message.contains("assume") && message.contains("role")
        })
}

/// While a deleted load balancer lets go of its network interfaces, or a
/// deleted service drains from its cluster.
fn is_still_in_use(error: &AwsError) -> bool {
    matches!(
        error.code.as_str(),
        "DependencyViolation"
            | "ResourceInUse"
            | "ClusterContainsServicesException"
            | "ClusterContainsTasksException"
    )
}

/// Deleting what is not there.
fn is_gone(error: &AwsError) -> bool {
    let code = error.code.as_str();
    code.ends_with("NotFound")
        || code.ends_with("NotFoundException")
        || code == "InvalidGroup.NotFound"
        || code == "NoSuchEntity"
        // Scaling a service that was deleted already.
        || code == "ServiceNotActiveException"
}

/// Adding what is there already: a security group's rule, or a DNS
/// record (Route 53 refuses the whole change; its answer then has no
/// change id, so a clean-up leaves the record, which this run did not make).
fn is_duplicate_rule(error: &AwsError) -> bool {
    error.code == "InvalidPermission.Duplicate"
        || (error.code == "InvalidChangeBatch" && error.message.contains("already exists"))
}

/// How far a plan got.
#[derive(Debug, Default)]
pub struct Progress {
    /// Every output known so far, as `StepId.Output` → value.
    pub outputs: HashMap<String, Value>,
    /// Each step that ran to an answer (now or earlier), with that answer.
    pub answers: HashMap<String, Value>,
    /// The steps AWS refused (or that could not be recorded).
    pub failed: Vec<(String, AwsError)>,
}

impl Progress {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty()
    }
}

/// The journal's line for a step: its call as sent and its id in the plan.
pub fn journal_line(step: &Step, call: &ApiCall) -> String {
    format!("{} ({})", call.summary(), step.id)
}

pub async fn run_plan(
    aws: &Aws,
    plan: &Plan,
    log: &impl PlanLog,
    earlier: &HashMap<String, Earlier>,
    retry: &Retry,
) -> Result<Progress, PlanError> {
    plan.check()?;
    let mut progress = Progress::default();
    // `${Run.Id}` (model::api_call::RUN_ID), filled in like an output.
    progress
        .outputs
        .insert("Run.Id".into(), json!(log.run_id()));
    for step in &plan.steps {
        if let Some(Earlier::Done(answer)) = earlier.get(&step.id) {
            progress.outputs.extend(outputs_of(step, answer));
            progress.answers.insert(step.id.clone(), answer.clone());
        }
    }
    // Each step starts as soon as the steps it waits for have answered,
    // not when a whole wave has: a slow call holds up only what needs it.
    // After a refusal nothing new starts; what is in flight finishes.
    let index: HashMap<&str, usize> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(n, s)| (s.id.as_str(), n))
        .collect();
    let waits_for: Vec<Vec<usize>> = plan
        .steps
        .iter()
        .map(|s| {
            s.depends_on
                .iter()
                .filter_map(|d| index.get(d.as_str()).copied())
                .collect()
        })
        .collect();
    let mut answered: HashSet<usize> = (0..plan.steps.len())
        .filter(|n| progress.answers.contains_key(&plan.steps[*n].id))
        .collect();
    let mut started = answered.clone();
    let mut running = FuturesUnordered::new();
    loop {
        if progress.succeeded() {
            for (n, step) in plan.steps.iter().enumerate() {
                if started.contains(&n) || !waits_for[n].iter().all(|d| answered.contains(d)) {
                    continue;
                }
                started.insert(n);
                let mut call = step.call.clone();
                call.input = fill_in(&call.input, &progress.outputs);
                let unknown = earlier.get(&step.id) == Some(&Earlier::Unknown);
                running.push(async move {
                    let answer = run_step(aws, log, n, step, &call, unknown, retry).await;
                    (n, answer)
                });
            }
        }
        let Some((n, answer)) = running.next().await else {
            break;
        };
        let step = &plan.steps[n];
        match answer {
            Ok(answer) => {
                progress.outputs.extend(outputs_of(step, &answer));
                progress.answers.insert(step.id.clone(), answer);
                answered.insert(n);
            }
            Err(error) => progress.failed.push((step.id.clone(), error)),
        }
    }
    Ok(progress)
}

/// One step: adopted if an earlier attempt made it, else sent (and sent
/// again after a pause while the answer says "try again").
async fn run_step(
    aws: &Aws,
    log: &impl PlanLog,
    seq: usize,
    step: &Step,
    call: &ApiCall,
    unknown: bool,
    retry: &Retry,
) -> Result<Value, AwsError> {
    let line = journal_line(step, call);
    let record = |status, detail: String, answer: Option<Value>| {
        let line = line.clone();
        async move {
            log.record(seq, &step.id, &line, status, &detail, answer.as_ref())
                .await
        }
    };
    record(StepStatus::Started, String::new(), None).await?;
    // An answer that lacked an output leaves its reference unfilled:
    // never send `${…}` to AWS as if it were a value.
    if let Some(reference) = references(&call.input).into_iter().next() {
        let error = AwsError {
            code: "MissingOutput".into(),
            message: format!("{reference} was not in the answer of the step that makes it"),
        };
        record(StepStatus::Failed, error.to_string(), None).await?;
        return Err(error);
    }
    if unknown && let Some(found) = aws.find_created(call).await? {
        record(StepStatus::Adopted, String::new(), Some(found.clone())).await?;
        return Ok(found);
    }
    let mut attempt = 1;
    let mut checks = 0;
    loop {
        match aws.send(call).await {
            Ok(answer) => {
                let Some(until) = step.until else {
                    record(StepStatus::Done, String::new(), Some(answer.clone())).await?;
                    return Ok(answer);
                };
                checks += 1;
                match until.read(&answer) {
                    Waited::Ready => {
                        record(StepStatus::Done, String::new(), Some(answer.clone())).await?;
                        return Ok(answer);
                    }
                    Waited::Pending(state) if checks < until.checks() => {
                        // The run page shows this line while it waits.
                        let detail = format!("{state} (check {checks} of {})", until.checks());
                        record(StepStatus::Started, detail, None).await?;
                        tokio::time::sleep(retry.max_delay).await;
                    }
                    Waited::Pending(state) => {
                        let error = AwsError {
                            code: STILL_WAITING.into(),
                            message: format!(
                                "still {state} after {checks} checks: Resume to wait again"
                            ),
                        };
                        record(StepStatus::Failed, error.to_string(), None).await?;
                        return Err(error);
                    }
                    Waited::Failed(state) => {
                        let error = AwsError {
                            code: "CertificateNotIssued".into(),
                            message: format!("ACM says {state}"),
                        };
                        record(StepStatus::Failed, error.to_string(), None).await?;
                        return Err(error);
                    }
                }
            }
            Err(error) if is_duplicate_rule(&error) => {
                let answer = json!({});
                record(StepStatus::Done, String::new(), Some(answer.clone())).await?;
                return Ok(answer);
            }
            Err(error) if is_transient(&error) && attempt < retry.attempts => {
                let detail = format!("{}: {} (try {attempt})", error.code, error.message);
                record(StepStatus::Started, detail, None).await?;
                tokio::time::sleep(retry.delay(attempt)).await;
                attempt += 1;
                // No answer may mean it was made: never make it twice.
                if error.code == NO_ANSWER
                    && let Some(found) = aws.find_created(call).await?
                {
                    record(StepStatus::Adopted, String::new(), Some(found.clone())).await?;
                    return Ok(found);
                }
            }
            Err(error) => {
                let detail = format!("{}: {}", error.code, error.message);
                record(StepStatus::Failed, detail, None).await?;
                return Err(error);
            }
        }
    }
}

/// Sends one clean-up call, waiting while what it deletes is still in use.
pub async fn run_delete(
    aws: &Aws,
    log: &impl PlanLog,
    seq: usize,
    step_id: &str,
    call: &ApiCall,
    retry: &Retry,
) -> Result<(), AwsError> {
    let line = format!("{} ({step_id})", call.summary());
    log.record(seq, step_id, &line, StepStatus::Started, "", None)
        .await?;
    let mut attempt = 1;
    loop {
        match aws.send(call).await {
            Ok(answer) => {
                log.record(seq, step_id, &line, StepStatus::Done, "", Some(&answer))
                    .await?;
                return Ok(());
            }
            // Gone already (a clean-up tried again): nothing left to do.
            Err(error) if is_gone(&error) => {
                let detail = format!("{}: {}", error.code, error.message);
                log.record(seq, step_id, &line, StepStatus::Done, &detail, None)
                    .await?;
                return Ok(());
            }
            Err(error)
                if (is_transient(&error) || is_still_in_use(&error))
                    && attempt < retry.attempts =>
            {
                let detail = format!("{}: {} (try {attempt})", error.code, error.message);
                log.record(seq, step_id, &line, StepStatus::Started, &detail, None)
                    .await?;
                tokio::time::sleep(retry.delay(attempt)).await;
                attempt += 1;
            }
            Err(error) => {
                let detail = format!("{}: {}", error.code, error.message);
                log.record(seq, step_id, &line, StepStatus::Failed, &detail, None)
                    .await?;
                return Err(error);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, message: &str) -> AwsError {
        AwsError {
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn throttling_server_errors_and_a_new_role_are_worth_another_try() {
        assert!(is_transient(&error("Throttling", "Rate exceeded")));
        assert!(is_transient(&error("ServiceUnavailable", "")));
        assert!(is_transient(&error(
            "InvalidParameterException",
            "Unable to assume role and validate the specified targetGroupArn."
        )));
        assert!(!is_transient(&error(
            "InvalidParameterException",
            "The target group does not have an associated load balancer."
        )));
        assert!(!is_transient(&error("AccessDeniedException", "")));
    }

    #[test]
    fn pauses_double_up_to_their_limit() {
        let retry = Retry::STANDARD;
        let delays: Vec<u64> = (1..=6).map(|a| retry.delay(a).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 16]);
        assert_eq!(retry.for_cleanup().attempts, 12);
        assert_eq!(retry.delay(u32::MAX), retry.max_delay);
    }
}
