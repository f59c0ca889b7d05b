//! Amazon ECS: task definitions, clusters, and what the checklist counts.

use serde_json::Value;

use super::create::{CreateError, Created};
use super::raw_body::{CaptureBody, replace_body};
use super::{Aws, AwsError};
use crate::spec::account::ClusterSummary;
use crate::spec::cluster::Cluster;

/// A registered revision, with the definition exactly as AWS returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    /// The whole RegisterTaskDefinition response (`taskDefinition` and `tags`).
    pub response: Value,
}

impl Aws {
    /// Sends `request_json` (a RegisterTaskDefinition body) unchanged.
    pub async fn register_task_definition(
        &self,
        request_json: String,
    ) -> Result<Registered, AwsError> {
        let capture = CaptureBody::default();
        // The builder needs its required members; the body replaces them all.
        let output = self
            .ecs
            .register_task_definition()
            .family("placeholder")
            .set_container_definitions(Some(Vec::new()))
            .customize()
            .mutate_request(replace_body(request_json))
            .interceptor(capture.clone())
            .send()
            .await?;
        let definition = output.task_definition();
        let response = capture.take_json();
        Ok(Registered {
            arn: definition
                .and_then(|d| d.task_definition_arn())
                .unwrap_or_default()
                .to_string(),
            family: definition
                .and_then(|d| d.family())
                .unwrap_or_default()
                .to_string(),
            revision: definition.map(|d| d.revision()).unwrap_or_default(),
            response,
        })
    }
}

impl Aws {
    /// CreateCluster with the review page's body. AWS answers an existing
    /// name with the existing cluster, so an active one is looked up first and
    /// reported as existing instead.
    pub async fn create_cluster(&self, cluster: &Cluster) -> Result<Created, CreateError> {
        let existing = self
            .describe_clusters(vec![cluster.cluster_name.clone()])
            .await?;
        if existing.iter().any(|c| c.status == "ACTIVE") {
            return Err(CreateError::AlreadyExists);
        }
        let capture = CaptureBody::default();
        let output = self
            .ecs
            .create_cluster()
            .customize()
            .mutate_request(replace_body(cluster.request().to_string()))
            .interceptor(capture.clone())
            .send()
            .await
            .map_err(|e| CreateError::from(AwsError::from(e)))?;
        Ok(Created {
            arn: output
                .cluster()
                .and_then(|c| c.cluster_arn())
                .unwrap_or_default()
                .to_string(),
            response: capture.take_json(),
        })
    }

    pub async fn clusters(&self) -> Result<Vec<ClusterSummary>, AwsError> {
        let mut arns = Vec::new();
        let mut pages = self.ecs.list_clusters().into_paginator().send();
        while let Some(page) = pages.next().await {
            arns.extend(page?.cluster_arns().iter().cloned());
        }
        let mut clusters = Vec::new();
        // DescribeClusters takes at most 100 clusters a call.
        for chunk in arns.chunks(100) {
            clusters.extend(self.describe_clusters(chunk.to_vec()).await?);
        }
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(clusters)
    }

    async fn describe_clusters(&self, names: Vec<String>) -> Result<Vec<ClusterSummary>, AwsError> {
        let output = self
            .ecs
            .describe_clusters()
            .set_clusters(Some(names))
            .include(aws_sdk_ecs::types::ClusterField::Settings)
            .send()
            .await?;
        Ok(output
            .clusters()
            .iter()
            .map(|c| ClusterSummary {
                name: c.cluster_name().unwrap_or_default().to_string(),
                arn: c.cluster_arn().unwrap_or_default().to_string(),
                status: c.status().unwrap_or_default().to_string(),
                active_services: c.active_services_count(),
                running_tasks: c.running_tasks_count(),
                pending_tasks: c.pending_tasks_count(),
                container_insights: c
                    .settings()
                    .iter()
                    .find(|s| s.name().map(|n| n.as_str()) == Some("containerInsights"))
                    .and_then(|s| s.value())
                    .unwrap_or("disabled")
                    .to_string(),
            })
            .collect())
    }

    /// Families with at least one active revision.
    pub async fn task_definition_families(&self) -> Result<Vec<String>, AwsError> {
        let mut families = Vec::new();
        let mut pages = self
            .ecs
            .list_task_definition_families()
            .status(aws_sdk_ecs::types::TaskDefinitionFamilyStatus::Active)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            families.extend(page?.families().iter().cloned());
        }
        Ok(families)
    }

    /// The names of `clusters` that have at least one service.
    pub async fn clusters_with_services(
        &self,
        clusters: &[ClusterSummary],
    ) -> Result<Vec<String>, AwsError> {
        let mut with_services = Vec::new();
        for cluster in clusters.iter().filter(|c| c.status == "ACTIVE") {
            let services = self
                .ecs
                .list_services()
                .cluster(&cluster.name)
                .max_results(1)
                .send()
                .await?;
            if !services.service_arns().is_empty() {
                with_services.push(cluster.name.clone());
            }
        }
        Ok(with_services)
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::capture_request;
    use aws_smithy_types::body::SdkBody;

    use crate::aws::tests::aws_with;

    fn response(status: u16, body: &str) -> http::Response<SdkBody> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/x-amz-json-1.1")
            .body(SdkBody::from(body.to_string()))
            .expect("response")
    }

    /// What the review page shows is byte for byte what is signed and sent,
    /// and what AWS answers is kept whole, fields the SDK does not model included.
    #[tokio::test]
    async fn register_sends_the_request_json_unchanged_and_keeps_the_answer_whole() {
        let answer = r#"{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web:7","family":"web","revision":7,"containerDefinitions":[{"name":"app","image":"nginx","someFutureField":true}]},"tags":[]}"#;
        let (client, requests) = capture_request(Some(response(200, answer)));
        let body = r#"{"family":"web","containerDefinitions":[{"name":"app","image":"nginx","ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}]}]}"#;
        let registered = aws_with(client)
            .register_task_definition(body.to_string())
            .await
            .unwrap();
        let sent = requests.expect_request();
        assert_eq!(sent.body().bytes(), Some(body.as_bytes()));
        assert_eq!(
            sent.headers().get("content-length"),
            Some(body.len().to_string().as_str())
        );
        assert_eq!(
            sent.headers().get("x-amz-target"),
            Some("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition")
        );
        assert!(
            sent.headers()
                .get("authorization")
                .is_some_and(|a| a.starts_with("AWS4-HMAC-SHA256"))
        );
        assert_eq!(registered.revision, 7);
        assert_eq!(registered.family, "web");
        assert_eq!(
            registered.response["taskDefinition"]["containerDefinitions"][0]["someFutureField"],
            true
        );
    }

    /// AWS's own code and message reach the refusal page.
    #[tokio::test]
    async fn a_refusal_keeps_aws_code_and_message() {
        let denied = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ecs:RegisterTaskDefinition"}"#;
        let (client, _requests) = capture_request(Some(response(400, denied)));
        let error = aws_with(client)
            .register_task_definition("{}".into())
            .await
            .unwrap_err();
        assert_eq!(error.code, "AccessDeniedException");
        assert!(
            error
                .message
                .ends_with("is not authorized to perform: ecs:RegisterTaskDefinition")
        );

        let invalid = r#"{"__type":"ClientException","message":"Invalid 'cpu' setting for task."}"#;
        let (client, _requests) = capture_request(Some(response(400, invalid)));
        let error = aws_with(client)
            .register_task_definition("{}".into())
            .await
            .unwrap_err();
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("ClientException", "Invalid 'cpu' setting for task.")
        );
    }

    fn replay(bodies: &[&str]) -> aws_smithy_http_client::test_util::StaticReplayClient {
        use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
        StaticReplayClient::new(
            bodies
                .iter()
                .map(|body| {
                    let request = http::Request::builder()
                        .uri("https://ecs.ap-northeast-1.amazonaws.com/")
                        .body(SdkBody::empty())
                        .expect("request");
                    ReplayEvent::new(request, response(200, body))
                })
                .collect(),
        )
    }

    /// CreateCluster on an existing name returns that cluster in AWS, so it
    /// is looked up first; the body sent is the review page's, byte for byte.
    #[tokio::test]
    async fn an_active_cluster_is_existing_and_a_new_one_gets_the_exact_body() {
        use crate::aws::CreateError;
        use crate::spec::cluster::Cluster;
        let cluster = Cluster {
            cluster_name: "ecs-handson-cluster".into(),
            ..Cluster::default()
        };
        let active = r#"{"clusters":[{"clusterName":"ecs-handson-cluster","status":"ACTIVE"}],"failures":[]}"#;
        let client = replay(&[active]);
        let result = aws_with(client.clone()).create_cluster(&cluster).await;
        assert_eq!(result, Err(CreateError::AlreadyExists));
        assert_eq!(client.actual_requests().count(), 1, "nothing was created");

        let missing = r#"{"clusters":[],"failures":[{"reason":"MISSING"}]}"#;
        let created = r#"{"cluster":{"clusterArn":"arn:aws:ecs:ap-northeast-1:123456789012:cluster/ecs-handson-cluster","clusterName":"ecs-handson-cluster","status":"ACTIVE"}}"#;
        let client = replay(&[missing, created]);
        let done = aws_with(client.clone())
            .create_cluster(&cluster)
            .await
            .unwrap();
        assert!(done.arn.ends_with(":cluster/ecs-handson-cluster"));
        assert_eq!(done.response["cluster"]["status"], "ACTIVE");
        let sent: Vec<Vec<u8>> = client
            .actual_requests()
            .map(|r| r.body().bytes().unwrap_or_default().to_vec())
            .collect();
        assert_eq!(sent[1], cluster.request().to_string().into_bytes());
    }
}
