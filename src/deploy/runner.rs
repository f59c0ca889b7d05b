//! Runs a plan: the steps of each wave at the same time, each call written
//! to the journal before it is sent and again with AWS's answer, each
//! step's outputs filled into the steps after it. A refused step stops the
//! plan after its wave: what the wave's other steps made is recorded too.

use std::collections::HashMap;

use futures_util::future::join_all;
use serde_json::Value;

use super::plan::{Plan, PlanError, Step, fill_in, outputs_of};
use crate::aws::{Aws, AwsError, StepLog, logged};

/// How far a plan got.
#[derive(Debug, Default)]
pub struct Progress {
    /// Every output known so far, as `StepId.Output` → value.
    pub outputs: HashMap<String, Value>,
    /// Each step that ran to an answer, with that answer, in plan order.
    pub answers: Vec<(String, Value)>,
    /// The steps AWS refused (or that could not be recorded).
    pub failed: Vec<(String, AwsError)>,
}

impl Progress {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty()
    }
}

/// The journal's line for a step: its call and its id in the plan.
pub fn journal_line(step: &Step) -> String {
    format!("{} ({})", step.call.title(), step.id)
}

pub async fn run_plan(aws: &Aws, plan: &Plan, log: &impl StepLog) -> Result<Progress, PlanError> {
    plan.check()?;
    let mut progress = Progress::default();
    for wave in plan.waves()? {
        let outputs = &progress.outputs;
        let sends = wave.iter().map(|&n| {
            let step = &plan.steps[n];
            let mut call = step.call.clone();
            call.input = fill_in(&call.input, outputs);
            async move {
                let answer = logged(log, journal_line(step), aws.send_plan_call(&call)).await;
                (n, answer)
            }
        });
        let mut answered = join_all(sends).await;
        answered.sort_by_key(|(n, _)| *n);
        for (n, answer) in answered {
            let step = &plan.steps[n];
            match answer {
                Ok(answer) => {
                    progress.outputs.extend(outputs_of(step, &answer));
                    progress.answers.push((step.id.clone(), answer));
                }
                Err(error) => progress.failed.push((step.id.clone(), error)),
            }
        }
        if !progress.succeeded() {
            break;
        }
    }
    Ok(progress)
}
