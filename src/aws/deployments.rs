//! A service's deployment history: one ListServiceDeployments (the newest
//! 20) and one DescribeServiceDeployments of those, whatever the service's
//! past holds. Both answers are read as AWS wrote them (`send_json`), so
//! what the SDK does not know yet (paused hooks, traffic weights) is kept.

use serde_json::json;

use super::error::REQUEST_FAILED;
use super::raw_body::send_json;
use super::{Aws, AwsError};
use crate::model::operation::Operation;
use crate::model::service::deployments::{Described, History, PAGE};

/// Codes an endpoint answers for an operation it does not serve (or, for
/// moto, an HTML page with no code at all).
fn not_served(error: &AwsError) -> bool {
    matches!(
        error.code.as_str(),
        REQUEST_FAILED | "UnknownOperationException" | "InvalidAction" | "NotImplemented"
    )
}

impl Aws {
    pub async fn service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<History, AwsError> {
        let list = self
            .ecs
            .list_service_deployments()
            .cluster(cluster)
            .service(service);
        let body = json!({"cluster": cluster, "service": service, "maxResults": PAGE});
        // Asked once: an endpoint that does not serve it answers every retry
        // the same (moto: an HTML 500), and the page waits on it.
        let once = aws_sdk_ecs::config::Builder::default()
            .retry_config(aws_config::retry::RetryConfig::disabled());
        let listed = match send_json!(list, body.to_string(), once) {
            Ok(listed) => listed,
            Err(error) if not_served(&error) => return Ok(History::NotServed),
            Err(error) => return Err(error),
        };
        let arns: Vec<String> = listed["serviceDeployments"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["serviceDeploymentArn"].as_str().map(str::to_string))
            .take(PAGE as usize)
            .collect();
        if arns.is_empty() {
            return Ok(History::Read(Vec::new()));
        }
        let describe = self
            .ecs
            .describe_service_deployments()
            .set_service_deployment_arns(Some(arns.clone()));
        let body = json!({"serviceDeploymentArns": arns});
        let described = send_json!(describe, body.to_string())?;
        let mut deployments = serde_json::from_value::<Described>(described)
            .unwrap_or_default()
            .service_deployments;
        // Newest first, as listed.
        deployments.sort_by_key(|d| {
            arns.iter()
                .position(|a| *a == d.service_deployment_arn)
                .unwrap_or(usize::MAX)
        });
        Ok(History::Read(deployments))
    }

    /// StopServiceDeployment, or ContinueServiceDeployment, which the Rust
    /// SDK here does not have: it goes out on StopServiceDeployment's
    /// pipeline (same endpoint, same protocol, an answer of the same shape)
    /// with its own target header, set before the request is signed.
    pub(super) async fn answer_deployment(
        &self,
        operation: Operation,
        input: &serde_json::Value,
    ) -> Result<serde_json::Value, AwsError> {
        let stop = self
            .ecs
            .stop_service_deployment()
            .service_deployment_arn("placeholder");
        if operation == Operation::StopServiceDeployment {
            return send_json!(stop, input.to_string());
        }
        let target = format!("AmazonEC2ContainerServiceV20141113.{}", operation.name());
        let stop = stop.customize().mutate_request(move |request| {
            request.headers_mut().insert("x-amz-target", target.clone());
        });
        send_json!(@send stop, input.to_string())
    }

    /// Both revisions in one DescribeServiceRevisions, each as AWS wrote
    /// it; in the order asked.
    pub async fn service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<serde_json::Value>, AwsError> {
        let describe = self
            .ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(arns.to_vec()));
        let body = json!({"serviceRevisionArns": arns});
        let answer = send_json!(describe, body.to_string())?;
        let found: Vec<serde_json::Value> = answer["serviceRevisions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok(arns
            .iter()
            .filter_map(|arn| {
                found
                    .iter()
                    .find(|r| r["serviceRevisionArn"].as_str() == Some(arn))
                    .cloned()
            })
            .collect())
    }
}
