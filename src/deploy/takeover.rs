//! Runs whose instance stopped, carried on by another sharing the store.
//! Every instance looks twice a lease for runs under way whose lease ran
//! out; the one that takes a run (the store lets one take it) goes on from
//! where its journal stops: a service's plan from the steps that answered
//! (what may have been sent without an answer is looked for first, never
//! sent blind), a tear-down or a change from the calls not yet done.
//! A clean-up cut off, or a one-resource wizard's run, is left for a person,
//! as a restart of a single instance leaves it.

use crate::aws::Aws;
use crate::store::Store;
use crate::store::runs::{Run, RunStatus};

use super::runner::Retry;
use super::{change, plan_run};

/// Looks for runs to take over for as long as the app runs.
pub fn watch(store: Store, aws: Aws, retry: Retry) {
    tokio::spawn(async move {
        let every = store.lease() / 2;
        loop {
            tokio::time::sleep(every).await;
            match store.take_over_expired().await {
                Ok(runs) => {
                    for run in runs {
                        carry_on(&store, &aws, &run, retry).await;
                    }
                }
                Err(error) => tracing::warn!(%error, "could not look for runs to take over"),
            }
        }
    });
}

async fn carry_on(store: &Store, aws: &Aws, run: &Run, retry: Retry) {
    tracing::info!(run = %run.id, kind = %run.kind, "taking over a run whose instance stopped");
    match (run.kind.as_str(), run.status) {
        ("services", RunStatus::Running) => match plan_run::service_plan_of(run) {
            Ok((_, plan)) => return plan_run::carry_on(store, aws, run, plan, retry),
            Err(error) => {
                tracing::error!(%error, run = %run.id, "a taken-over run's draft does not read")
            }
        },
        ("teardowns" | "changes", RunStatus::Running) => {
            return change::carry_on(store, aws, run, retry);
        }
        _ => {}
    }
    if let Err(error) = store.interrupt_run(&run.id).await {
        tracing::error!(%error, run = %run.id, "a taken-over run could not be left for a person");
    }
}
