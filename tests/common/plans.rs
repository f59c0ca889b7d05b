//! Waiting for plan runs, which go on in tasks of their own.

use std::time::Duration;

use ecs_wizard::store::Store;
use ecs_wizard::store::runs::Run;
use ecs_wizard::store::runs::RunStatus;

/// The run once it has stopped running, looked at every 10 ms (a
/// benchmark times it), for at most 60 s.
pub async fn finished(store: &Store, run_id: &str) -> Run {
    for _ in 0..6000 {
        let run = store.run_by_id(run_id).await.expect("store").expect("run");
        if !matches!(run.status, RunStatus::Running | RunStatus::CleaningUp) {
            return run;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the run {run_id} did not end in 60 s")
}
