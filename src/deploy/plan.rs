//! A plan: AWS calls with the steps each depends on and the outputs later
//! steps use. A later step names an output as `${StepId.Output}` anywhere in
//! its input; the review shows it so, and the runner fills it in once that
//! step has run. Steps with no dependency between them run at the same time.
//!
//! Everything here is pure: checking a plan, its waves, its critical path,
//! and filling in outputs. The runner that sends the calls builds on it.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::api_call::{ApiCall, RUN_ID};
use crate::model::operation::Operation;
use crate::model::service::is_output_reference;
use crate::model::wait::Until;

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Unique in its plan: `CreateTargetGroup`, `AlbIngressHttp`.
    pub id: String,
    pub call: ApiCall,
    pub depends_on: Vec<String>,
    /// Output name → JSON pointer into the call's answer
    /// (`TargetGroupArn` → `/TargetGroups/0/TargetGroupArn`).
    pub outputs: Vec<(String, String)>,
    /// A read asked again until its answer says this (a certificate issued).
    pub until: Option<Until>,
}

impl Step {
    /// A step of `call`, with the outputs its operation gives (the table
    /// in `model::operation`).
    pub fn new(id: &str, call: ApiCall) -> Self {
        let outputs = call
            .operation
            .outputs()
            .iter()
            .map(|(name, pointer)| (name.to_string(), pointer.to_string()))
            .collect();
        Self {
            id: id.to_string(),
            call,
            depends_on: Vec::new(),
            outputs,
            until: None,
        }
    }

    pub fn until(mut self, until: Option<Until>) -> Self {
        self.until = until;
        self
    }

    pub fn after(mut self, ids: &[&str]) -> Self {
        self.depends_on.extend(ids.iter().map(|i| i.to_string()));
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("two steps are named {0}")]
    DuplicateStep(String),
    #[error("{step} depends on {missing}, which is not in the plan")]
    UnknownDependency { step: String, missing: String },
    #[error("{step} uses {reference}, which is not an output of a step it depends on")]
    UnknownOutput { step: String, reference: String },
    #[error("the steps {0} depend on each other in a cycle")]
    Cycle(String),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn new(steps: Vec<Step>) -> Self {
        Self { steps }
    }

    fn index(&self) -> HashMap<&str, usize> {
        self.steps
            .iter()
            .enumerate()
            .map(|(n, s)| (s.id.as_str(), n))
            .collect()
    }

    /// Ids are unique, dependencies exist and form no cycle, and every
    /// `${Step.Output}` names an output of a step this one (transitively)
    /// depends on, so it is known before the call is sent.
    pub fn check(&self) -> Result<(), PlanError> {
        let index = self.index();
        if index.len() != self.steps.len() {
            let mut seen = std::collections::HashSet::new();
            let twice = self
                .steps
                .iter()
                .find(|s| !seen.insert(s.id.as_str()))
                .map(|s| s.id.clone())
                .unwrap_or_default();
            return Err(PlanError::DuplicateStep(twice));
        }
        for step in &self.steps {
            if let Some(missing) = step
                .depends_on
                .iter()
                .find(|d| !index.contains_key(d.as_str()))
            {
                return Err(PlanError::UnknownDependency {
                    step: step.id.clone(),
                    missing: missing.clone(),
                });
            }
        }
        self.order()?;
        for (n, step) in self.steps.iter().enumerate() {
            for reference in references(&step.call.input)
                .into_iter()
                .filter(|r| r != RUN_ID)
            {
                let known = split_reference(&reference).is_some_and(|(id, output)| {
                    index.get(id).is_some_and(|&d| {
                        self.steps[d].outputs.iter().any(|(o, _)| o == output)
                            && self.depends_on_step(&index, n, d)
                    })
                });
                if !known {
                    return Err(PlanError::UnknownOutput {
                        step: step.id.clone(),
                        reference,
                    });
                }
            }
        }
        Ok(())
    }

    /// True when step `n` depends on step `target`, directly or through
    /// others (a walk with a stack, each step visited once).
    fn depends_on_step(&self, index: &HashMap<&str, usize>, n: usize, target: usize) -> bool {
        let mut seen = vec![false; self.steps.len()];
        let mut stack = vec![n];
        while let Some(at) = stack.pop() {
            for dependency in &self.steps[at].depends_on {
                let d = index[dependency.as_str()];
                if d == target {
                    return true;
                }
                if !std::mem::replace(&mut seen[d], true) {
                    stack.push(d);
                }
            }
        }
        false
    }

    /// The steps in an order where each comes after what it depends on
    /// (Kahn's algorithm; a cycle is an error naming its steps).
    pub fn order(&self) -> Result<Vec<usize>, PlanError> {
        let index = self.index();
        let mut waiting: Vec<usize> = self.steps.iter().map(|s| s.depends_on.len()).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); self.steps.len()];
        for (n, step) in self.steps.iter().enumerate() {
            for dependency in &step.depends_on {
                if let Some(&d) = index.get(dependency.as_str()) {
                    dependents[d].push(n);
                }
            }
        }
        let mut ready: Vec<usize> = (0..self.steps.len())
            .filter(|&n| waiting[n] == 0)
            .rev()
            .collect();
        let mut order = Vec::with_capacity(self.steps.len());
        while let Some(n) = ready.pop() {
            order.push(n);
            for &next in dependents[n].iter().rev() {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    ready.push(next);
                }
            }
        }
        if order.len() < self.steps.len() {
            let stuck: Vec<&str> = (0..self.steps.len())
                .filter(|n| !order.contains(n))
                .map(|n| self.steps[n].id.as_str())
                .collect();
            return Err(PlanError::Cycle(stuck.join(", ")));
        }
        Ok(order)
    }

    /// Steps grouped by when they can start: each wave's steps depend only
    /// on earlier waves, so a wave runs at once.
    pub fn waves(&self) -> Result<Vec<Vec<usize>>, PlanError> {
        let index = self.index();
        let mut level = vec![0usize; self.steps.len()];
        for n in self.order()? {
            level[n] = self.steps[n]
                .depends_on
                .iter()
                .map(|d| level[index[d.as_str()]] + 1)
                .max()
                .unwrap_or(0);
        }
        let mut waves = vec![Vec::new(); level.iter().max().map_or(0, |m| m + 1)];
        for (n, l) in level.into_iter().enumerate() {
            waves[l].push(n);
        }
        Ok(waves)
    }

    /// The longest chain of dependent steps, weighing each by `cost`: the
    /// least time the plan can take however many calls run at once.
    pub fn critical_path<T>(&self, cost: impl Fn(&Step) -> T) -> Result<T, PlanError>
    where
        T: Copy + Default + PartialOrd + std::ops::Add<Output = T>,
    {
        let index = self.index();
        let mut finish = vec![T::default(); self.steps.len()];
        for n in self.order()? {
            let start = self.steps[n]
                .depends_on
                .iter()
                .map(|d| finish[index[d.as_str()]])
                .fold(T::default(), |a, b| if b > a { b } else { a });
            finish[n] = start + cost(&self.steps[n]);
        }
        Ok(finish
            .into_iter()
            .fold(T::default(), |a, b| if b > a { b } else { a }))
    }
}

/// `${Id.Output}` → (`Id`, `Output`).
fn split_reference(reference: &str) -> Option<(&str, &str)> {
    reference
        .strip_prefix("${")?
        .strip_suffix('}')?
        .split_once('.')
}

/// Every output reference in a request, walked with a stack.
pub fn references(input: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![input];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if is_output_reference(text) => found.push(text.clone()),
            Value::String(text) => found.extend(
                embedded(text)
                    .into_iter()
                    .map(|(start, end)| text[start..end].to_string()),
            ),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    found
}

/// Where `${Id.Output}` references sit inside a longer text (`app/x/1/
/// ${CreateTargetGroup.ResourceLabel}`): (start, end) of each.
fn embedded(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("${").map(|at| from + at) {
        let Some(end) = text[start..].find('}').map(|at| start + at + 1) else {
            break;
        };
        if is_output_reference(&text[start..end]) {
            found.push((start, end));
        }
        from = end;
    }
    found
}

/// The request with each `${Id.Output}` replaced by its value, for the
/// outputs known so far (`Id.Output` → value). Unknown ones stay as they are.
pub fn fill_in(input: &Value, outputs: &HashMap<String, Value>) -> Value {
    let mut filled = input.clone();
    let mut stack = vec![&mut filled];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) if is_output_reference(text) => {
                let key = &text[2..text.len() - 1];
                if let Some(known) = outputs.get(key) {
                    *value = known.clone();
                }
            }
            // Inside a longer text, a known text output is written in.
            Value::String(text) => {
                let mut written = String::new();
                let mut last = 0;
                for (start, end) in embedded(text) {
                    let key = &text[start + 2..end - 1];
                    if let Some(known) = outputs.get(key).and_then(Value::as_str) {
                        written.push_str(&text[last..start]);
                        written.push_str(known);
                        last = end;
                    }
                }
                if last > 0 {
                    written.push_str(&text[last..]);
                    *text = written;
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => stack.extend(map.values_mut()),
            _ => {}
        }
    }
    filled
}

/// A step's outputs read from its answer, as `Id.Output` → value.
pub fn outputs_of(step: &Step, answer: &Value) -> HashMap<String, Value> {
    step.outputs
        .iter()
        .filter_map(|(name, pointer)| {
            Operation::output_in(pointer, answer).map(|v| (format!("{}.{name}", step.id), v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::model::operation::Operation;
    use serde_json::json;

    use super::*;

    /// A call whose answer gives `GroupId`.
    fn call(input: Value) -> ApiCall {
        ApiCall::new(Operation::CreateSecurityGroup, input)
    }

    #[test]
    fn a_label_is_read_from_an_arn_and_written_into_a_longer_text() {
        let lb = ApiCall::new(Operation::CreateLoadBalancer, json!({"Name": "web"}));
        let tg = ApiCall::new(Operation::CreateTargetGroup, json!({"Name": "web-tg"}));
        let label = "${CreateLoadBalancer.ResourceLabel}/${CreateTargetGroup.ResourceLabel}";
        let policy = ApiCall::new(
            Operation::PutScalingPolicy,
            json!({"Label": label, "Whole": "${CreateTargetGroup.TargetGroupArn}"}),
        );
        let plan = Plan::new(vec![
            Step::new("CreateLoadBalancer", lb),
            Step::new("CreateTargetGroup", tg),
            Step::new("Policy", policy).after(&["CreateLoadBalancer", "CreateTargetGroup"]),
        ]);
        assert_eq!(plan.check(), Ok(()));
        let mut outputs = outputs_of(
            &plan.steps[0],
            &json!({"LoadBalancers": [{"LoadBalancerArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"}]}),
        );
        assert_eq!(
            outputs["CreateLoadBalancer.ResourceLabel"],
            "app/web/50dc6c495c0c9188"
        );
        // Half known: the known half is written in, the other stays.
        let half = fill_in(&plan.steps[2].call.input, &outputs);
        assert_eq!(
            half["Label"],
            "app/web/50dc6c495c0c9188/${CreateTargetGroup.ResourceLabel}"
        );
        outputs.extend(outputs_of(
            &plan.steps[1],
            &json!({"TargetGroups": [{"TargetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-tg/943f017f100becff"}]}),
        ));
        let filled = fill_in(&plan.steps[2].call.input, &outputs);
        assert_eq!(
            filled["Label"],
            "app/web/50dc6c495c0c9188/targetgroup/web-tg/943f017f100becff"
        );
        assert!(filled["Whole"].as_str().unwrap().starts_with("arn:aws:"));
        // An embedded reference to a step it does not wait for is refused.
        let mut unordered = plan.clone();
        unordered.steps[2].depends_on.clear();
        assert!(unordered.check().is_err());
    }

    fn diamond() -> Plan {
        let target_group = ApiCall::new(Operation::CreateTargetGroup, json!({"G": "${A.GroupId}"}));
        Plan::new(vec![
            Step::new("A", call(json!({}))),
            Step::new("B", target_group).after(&["A"]),
            Step::new("C", call(json!({"GroupId": "${A.GroupId}"}))).after(&["A"]),
            Step::new(
                "D",
                call(json!({"X": ["${B.TargetGroupArn}", {"y": "${A.GroupId}"}]})),
            )
            .after(&["B", "C"]),
        ])
    }

    #[test]
    fn a_diamond_runs_in_three_waves() {
        let plan = diamond();
        assert_eq!(plan.check(), Ok(()));
        assert_eq!(plan.waves().unwrap(), [vec![0], vec![1, 2], vec![3]]);
        assert_eq!(plan.order().unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn the_critical_path_is_the_longest_chain() {
        let plan = diamond();
        let cost = |s: &Step| if s.id == "C" { 5 } else { 1 };
        // A(1) → C(5) → D(1), longer than A → B → D.
        assert_eq!(plan.critical_path(cost).unwrap(), 7);
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 3);
    }

    #[test]
    fn a_reference_must_be_an_output_of_a_step_depended_on() {
        let mut plan = diamond();
        plan.steps[2].call.input = json!({"GroupId": "${B.TargetGroupArn}"});
        assert_eq!(
            plan.check(),
            Err(PlanError::UnknownOutput {
                step: "C".into(),
                reference: "${B.TargetGroupArn}".into()
            })
        );
        let mut plan = diamond();
        plan.steps[3].call.input = json!({"X": "${A.Nope}"});
        assert!(matches!(plan.check(), Err(PlanError::UnknownOutput { .. })));
    }

    #[test]
    fn unknown_steps_duplicates_and_cycles_are_refused() {
        let mut plan = diamond();
        plan.steps[1].depends_on.push("Z".into());
        assert_eq!(
            plan.check(),
            Err(PlanError::UnknownDependency {
                step: "B".into(),
                missing: "Z".into()
            })
        );
        let mut plan = diamond();
        plan.steps[3].id = "A".into();
        assert_eq!(plan.check(), Err(PlanError::DuplicateStep("A".into())));
        let mut plan = diamond();
        plan.steps[0].depends_on.push("D".into());
        assert_eq!(plan.check(), Err(PlanError::Cycle("A, B, C, D".into())));
    }

    #[test]
    fn a_long_chain_is_checked_without_recursion() {
        let steps: Vec<Step> = (0..20_000)
            .map(|n| {
                let step = Step::new(&format!("S{n}"), call(json!({})));
                if n == 0 {
                    step
                } else {
                    step.after(&[&format!("S{}", n - 1)])
                }
            })
            .collect();
        let mut plan = Plan::new(steps);
        plan.steps[19_999].call.input = json!({"GroupId": "${S0.GroupId}"});
        assert_eq!(plan.check(), Ok(()));
        assert_eq!(plan.waves().unwrap().len(), 20_000);
        assert_eq!(plan.critical_path(|_| 1).unwrap(), 20_000);
    }

    #[test]
    fn outputs_are_read_from_answers_and_filled_in() {
        let plan = diamond();
        let mut outputs = outputs_of(&plan.steps[0], &json!({"GroupId": "sg-0123abcd"}));
        let target_groups = json!({"TargetGroups": [{"TargetGroupArn": "arn:x"}]});
        outputs.extend(outputs_of(&plan.steps[1], &target_groups));
        assert_eq!(
            fill_in(&plan.steps[3].call.input, &outputs),
            json!({"X": ["arn:x", {"y": "sg-0123abcd"}]})
        );
        // Not yet known: left for the review to show.
        assert_eq!(
            fill_in(&json!({"k": "${Later.Id}"}), &outputs),
            json!({"k": "${Later.Id}"})
        );
        assert_eq!(references(&plan.steps[3].call.input).len(), 2);
    }
}
