//! Amazon ECS: task definitions, clusters, and what the checklist counts.

use serde_json::{Value, json};

use super::operations::text;
use super::raw_body::{CaptureBody, send_json};
use super::{Aws, AwsError};
use crate::model::account::ClusterSummary;

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
    /// RegisterTaskDefinition with the review's request as the body; AWS's
    /// answer (`taskDefinition` and `tags`) kept whole.
    pub(super) async fn register_task_definition(&self, input: &Value) -> Result<Value, AwsError> {
        // The builder needs its required members; the body replaces them all.
        let operation = self
            .ecs
            .register_task_definition()
            .family("placeholder")
            .set_container_definitions(Some(Vec::new()));
        send_json!(operation, input.to_string())
    }

    /// The family's latest revision when it is exactly `request` (a
    /// RegisterTaskDefinition body): what a cut-off Create registered.
    pub async fn latest_revision_matching(
        &self,
        request: &Value,
    ) -> Result<Option<Registered>, AwsError> {
        let family = request["family"].as_str().unwrap_or_default();
        let capture = CaptureBody::default();
        let result = self
            .ecs
            .describe_task_definition()
            .task_definition(family)
            .customize()
            .interceptor(capture.clone())
            .send()
            .await;
        match result {
            Ok(_) => {}
            Err(error) => {
                let error = AwsError::from(error);
                // No revision of the family at all.
                if error.code == "ClientException" {
                    return Ok(None);
                }
                return Err(error);
            }
        }
        let response = capture.take_json();
        let mut wanted = request.clone();
        if let Some(object) = wanted.as_object_mut() {
            // Tags are answered beside the definition, not in it.
            object.remove("tags");
        }
        Ok(contains(&response["taskDefinition"], &wanted).then(|| registered(response)))
    }
}

/// A registration as AWS answered it.
pub fn registered(response: Value) -> Registered {
    let definition = &response["taskDefinition"];
    Registered {
        arn: definition["taskDefinitionArn"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        family: definition["family"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        revision: definition["revision"]
            .as_i64()
            .and_then(|r| i32::try_from(r).ok())
            .unwrap_or_default(),
        response,
    }
}

/// True when `shown` holds everything `wanted` says (AWS adds defaults and
/// read-only fields; an empty list or map in `wanted` is the same as none).
fn contains(shown: &Value, wanted: &Value) -> bool {
    match (shown, wanted) {
        (_, Value::Array(items)) if items.is_empty() => {
            shown.is_null() || shown.as_array().is_some_and(Vec::is_empty)
        }
        (_, Value::Object(map)) if map.is_empty() => {
            shown.is_null() || shown.as_object().is_some_and(serde_json::Map::is_empty)
        }
        (Value::Object(shown), Value::Object(wanted)) => wanted
            .iter()
            .all(|(key, value)| contains(shown.get(key).unwrap_or(&Value::Null), value)),
        (Value::Array(shown), Value::Array(wanted)) => {
            shown.len() == wanted.len() && shown.iter().zip(wanted).all(|(s, w)| contains(s, w))
        }
        _ => shown == wanted,
    }
}

impl Aws {
    /// CreateCluster with the review's body. AWS answers an existing name
    /// with the existing cluster, so a create looks first ([`Aws::find_cluster`]).
    pub(super) async fn create_cluster(&self, input: &Value) -> Result<Value, AwsError> {
        send_json!(self.ecs.create_cluster(), input.to_string())
    }

    pub(super) async fn delete_cluster(&self, input: &Value) -> Result<Value, AwsError> {
        send_json!(
            self.ecs.delete_cluster().cluster("placeholder"),
            input.to_string()
        )
    }

    pub(super) async fn deregister_task_definition(
        &self,
        input: &Value,
    ) -> Result<Value, AwsError> {
        let operation = self
            .ecs
            .deregister_task_definition()
            .task_definition("placeholder");
        send_json!(operation, input.to_string())
    }

    /// The review's CreateService JSON is the body, byte for byte (a JSON
    /// protocol, like RegisterTaskDefinition); AWS's answer is kept whole.
    pub(super) async fn create_service(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.ecs.create_service().service_name("placeholder");
        send_json!(operation, input.to_string())
    }

    pub(super) async fn delete_service(&self, input: &Value) -> Result<Value, AwsError> {
        let operation = self.ecs.delete_service().service("placeholder");
        send_json!(operation, input.to_string())
    }

    /// The active service a CreateService made, by its name in its cluster.
    pub(super) async fn find_service(&self, input: &Value) -> Result<Option<Value>, AwsError> {
        let output = self
            .ecs
            .describe_services()
            .cluster(text(input, "cluster"))
            .services(text(input, "serviceName"))
            .send()
            .await?;
        Ok(output
            .services()
            .iter()
            .find(|s| s.status() == Some("ACTIVE"))
            .map(|s| json!({"service": {"serviceArn": s.service_arn(), "serviceName": s.service_name(), "status": s.status()}})))
    }

    /// The active cluster named `name`, answered as CreateCluster would.
    pub async fn find_cluster(&self, name: &str) -> Result<Option<Value>, AwsError> {
        let found = self.describe_clusters(vec![name.to_string()]).await?;
        Ok(found
            .into_iter()
            .find(|c| c.status == "ACTIVE")
            .map(|c| json!({"cluster": {"clusterArn": c.arn, "clusterName": c.name, "status": c.status}})))
    }

    pub(super) async fn describe_clusters(
        &self,
        names: Vec<String>,
    ) -> Result<Vec<ClusterSummary>, AwsError> {
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
}

#[cfg(test)]
mod tests {
    use aws_smithy_http_client::test_util::capture_request;
    use aws_smithy_types::body::SdkBody;

    use serde_json::Value;

    use crate::aws::tests::aws_with;
    use crate::model::api_call::ApiCall;
    use crate::model::operation::Operation;

    fn call(operation: Operation, body: &str) -> ApiCall {
        let input: Value = serde_json::from_str(body).expect("JSON");
        ApiCall::new(operation, input)
    }

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
        let answered = aws_with(client)
            .send(&call(Operation::RegisterTaskDefinition, body))
            .await
            .unwrap();
        let registered = super::registered(answered);
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
            .send(&call(Operation::RegisterTaskDefinition, "{}"))
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
            .send(&call(Operation::RegisterTaskDefinition, "{}"))
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

    /// CreateCluster on an existing name returns that cluster in AWS, so
    /// the create looks for an active one first; the body sent is the
    /// review page's.
    #[tokio::test]
    async fn an_active_cluster_is_found_and_a_new_one_gets_the_exact_body() {
        use crate::model::cluster::Cluster;
        use crate::model::resource::Resource;
        let cluster = Cluster {
            cluster_name: "ecs-handson-cluster".into(),
            ..Cluster::default()
        };
        let active = r#"{"clusters":[{"clusterName":"ecs-handson-cluster","clusterArn":"arn:c","status":"ACTIVE"}],"failures":[]}"#;
        let found = aws_with(replay(&[active]))
            .find_cluster("ecs-handson-cluster")
            .await
            .unwrap();
        assert_eq!(found.unwrap()["cluster"]["clusterArn"], "arn:c");
        let missing = r#"{"clusters":[],"failures":[{"reason":"MISSING"}]}"#;
        let none = aws_with(replay(&[missing]))
            .find_cluster("ecs-handson-cluster")
            .await
            .unwrap();
        assert_eq!(none, None);

        let created = r#"{"cluster":{"clusterArn":"arn:aws:ecs:ap-northeast-1:123456789012:cluster/ecs-handson-cluster","clusterName":"ecs-handson-cluster","status":"ACTIVE"}}"#;
        let client = replay(&[created]);
        let create = cluster.api_calls().remove(0);
        let done = aws_with(client.clone()).send(&create).await.unwrap();
        assert_eq!(done["cluster"]["status"], "ACTIVE");
        let sent: Vec<Vec<u8>> = client
            .actual_requests()
            .map(|r| r.body().bytes().unwrap_or_default().to_vec())
            .collect();
        assert_eq!(sent[0], cluster.request().to_string().into_bytes());
    }
}

#[cfg(test)]
mod contains_tests {
    use serde_json::json;

    use super::contains;

    #[test]
    fn a_revision_holds_the_request_when_aws_only_added_to_it() {
        let wanted = json!({"family": "web", "cpu": "256", "volumes": [],
            "containerDefinitions": [{"name": "app", "image": "nginx", "environment": []}]});
        let shown = json!({"family": "web", "cpu": "256", "revision": 3, "status": "ACTIVE",
            "containerDefinitions": [{"name": "app", "image": "nginx", "essential": true, "cpu": 0}]});
        assert!(contains(&shown, &wanted));
        let changed = json!({"family": "web", "cpu": "512",
            "containerDefinitions": [{"name": "app", "image": "nginx"}]});
        assert!(!contains(&changed, &wanted));
        let more = json!({"family": "web", "cpu": "256",
            "containerDefinitions": [{"name": "app", "image": "nginx"}, {"name": "b", "image": "x"}]});
        assert!(!contains(&more, &wanted));
    }
}
