//! What moto cannot show, in AWS's own response shapes at the SDK's HTTP
//! layer: a deployment the circuit breaker failed and is rolling back, its
//! events, an unhealthy target, a task stopped with
//! CannotPullContainerError among 210 tasks, and a container's log lines —
//! each on the service page with what it means, in English and Japanese,
//! and the AWS calls each view makes, counted.

use crate::common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use common::in_process::{InProcess, add_user, connected_app, settings};
use ecs_wizard::aws::{Aws, Connection, Identity};
use ecs_wizard::model::access::Role;
use ecs_wizard::store::Store;
use ecs_wizard::store::audit::AuditFilter;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const TG: &str =
    "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web-tg/0123456789abcdef";
const LB: &str = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/web-alb/0123456789abcdef";
const TD: &str = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/web";
const RUNNING: usize = 150;
const STOPPED: usize = 60;
const PULL_ERROR: &str = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/web:v9: not found";

fn task_arn(n: usize) -> String {
    format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:task/web-cluster/{n:032x}")
}

/// The operation a request asks for: the JSON protocols' target header,
/// CBOR's path (`…/operation/GetMetricData`), or the query protocol's Action.
fn operation(request: &http::Request<SdkBody>) -> (String, String) {
    let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
    if let Some((_, name)) = request.uri().path().split_once("/operation/") {
        return (name.to_string(), body);
    }
    let name = match request.headers().get("x-amz-target") {
        Some(target) => target
            .to_str()
            .unwrap_or_default()
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_string(),
        None => form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default(),
    };
    (name, body)
}

fn service() -> Value {
    json!({"services": [{
        "serviceArn": format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/web-cluster/web"),
        "serviceName": "web",
        "status": "ACTIVE",
        "desiredCount": 2, "runningCount": 1, "pendingCount": 1,
        "launchType": "FARGATE",
        "taskDefinition": format!("{TD}:1"),
        "loadBalancers": [{"targetGroupArn": TG, "containerName": "web", "containerPort": 80}],
        "deployments": [
            {"id": "ecs-svc/4", "status": "PRIMARY", "taskDefinition": format!("{TD}:1"),
             "desiredCount": 2, "pendingCount": 1, "runningCount": 1, "failedTasks": 0,
             "createdAt": 1796000400.0, "rolloutState": "IN_PROGRESS",
             "rolloutStateReason": "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/2."},
            {"id": "ecs-svc/3", "status": "ACTIVE", "taskDefinition": format!("{TD}:2"),
             "desiredCount": 0, "pendingCount": 0, "runningCount": 0, "failedTasks": 3,
             "createdAt": 1796000000.0, "rolloutState": "FAILED",
             "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start."}
        ],
        "events": [
            {"id": "e2", "createdAt": 1796000390.0, "message": "(service web) (deployment ecs-svc/3) deployment failed: tasks failed to start."},
            {"id": "e1", "createdAt": 1796000100.0, "message": "(service web) has started 1 tasks: (task 0123abcd)."}
        ],
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": ["subnet-0a"], "securityGroups": ["sg-0a"], "assignPublicIp": "ENABLED"}},
        "createdAt": 1795000000.0
    }], "failures": []})
}

fn task(arn: &str) -> Value {
    let n = usize::from_str_radix(arn.rsplit('/').next().unwrap_or_default(), 16).unwrap_or(0);
    if n < RUNNING {
        return json!({
            "taskArn": arn, "taskDefinitionArn": format!("{TD}:1"),
            "lastStatus": "RUNNING", "desiredStatus": "RUNNING", "healthStatus": "HEALTHY",
            "startedAt": 1796000100.0,
            "containers": [{"name": "web", "lastStatus": "RUNNING", "healthStatus": "HEALTHY",
                            "networkInterfaces": [{"privateIpv4Address": "10.0.1.23"}]}]
        });
    }
    // The newest stopped task could not pull its image; the others were replaced.
    let newest = n == RUNNING + STOPPED - 1;
    let reason = if newest {
        PULL_ERROR
    } else {
        "Scaling activity initiated by (deployment ecs-svc/2)"
    };
    json!({
        "taskArn": arn, "taskDefinitionArn": format!("{TD}:2"),
        "lastStatus": "STOPPED", "desiredStatus": "STOPPED",
        "stopCode": if newest { "TaskFailedToStart" } else { "ServiceSchedulerInitiated" },
        "stoppedReason": reason,
        "stoppedAt": 1796000000.0 + n as f64,
        "containers": [{"name": "web", "lastStatus": "STOPPED",
                        "reason": if newest { PULL_ERROR } else { "" }}]
    })
}

const ELB: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

fn elb(operation: &str, result: &str) -> String {
    format!(
        "<{operation}Response xmlns=\"{ELB}\"><{operation}Result>{result}</{operation}Result><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{operation}Response>"
    )
}

/// AWS as the service page sees it, and each operation it was asked for.
fn answer(operation: &str, body: &str) -> (String, &'static str) {
    let input: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let json = |value: Value| (value.to_string(), "application/x-amz-json-1.1");
    let xml = |text: String| (text, "text/xml");
    match operation {
        "DescribeServices" => json(service()),
        "ListServiceDeployments"
        | "DescribeServiceDeployments"
        | "ContinueServiceDeployment"
        | "StopServiceDeployment"
        | "DescribeServiceRevisions" => {
            let target = format!("AmazonEC2ContainerServiceV20141113.{operation}");
            let mut headers = axum::http::HeaderMap::new();
            headers.insert("x-amz-target", target.parse().expect("header"));
            let refused = common::api_model::check(&headers, body.as_bytes());
            assert!(refused.is_empty(), "{refused:?}");
            json(deployments_answer(operation))
        }
        "ListTasks" => {
            let range = if input["desiredStatus"] == "STOPPED" {
                RUNNING..RUNNING + STOPPED
            } else {
                0..RUNNING
            };
            json(json!({"taskArns": range.map(task_arn).collect::<Vec<_>>()}))
        }
        "DescribeTasks" => {
            let tasks: Vec<Value> = input["tasks"]
                .as_array()
                .map(|arns| arns.iter().filter_map(Value::as_str).map(task).collect())
                .unwrap_or_default();
            assert!(tasks.len() <= 100, "DescribeTasks takes at most 100");
            json(json!({"tasks": tasks, "failures": []}))
        }
        "ListTaskDefinitions" => {
            json(json!({"taskDefinitionArns": [format!("{TD}:2"), format!("{TD}:1")]}))
        }
        "DescribeTaskDefinition" => json(json!({"taskDefinition": {
            "taskDefinitionArn": format!("{TD}:2"), "family": "web", "revision": 2,
            "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": "/ecs/web", "awslogs-region": "ap-northeast-1",
                    "awslogs-stream-prefix": "ecs"}}}]
        }})),
        "GetLogEvents" => json(if input["nextToken"] == "f/2" {
            json!({"events": [{"timestamp": 1796000200000i64, "message": "GET /health 404", "ingestionTime": 1796000200100i64}],
                   "nextForwardToken": "f/3", "nextBackwardToken": "b/2"})
        } else {
            json!({"events": [
                {"timestamp": 1796000100000i64, "message": "Listening on 0.0.0.0:80", "ingestionTime": 1796000100100i64},
                {"timestamp": 1796000101000i64, "message": "ERROR could not connect to database", "ingestionTime": 1796000101100i64}],
                "nextForwardToken": "f/2", "nextBackwardToken": "b/1"})
        }),
        "DescribeTargetGroups" => xml(elb(
            operation,
            &format!(
                "<TargetGroups><member><TargetGroupArn>{TG}</TargetGroupArn><TargetGroupName>web-tg</TargetGroupName><LoadBalancerArns><member>{LB}</member></LoadBalancerArns></member></TargetGroups>"
            ),
        )),
        "DescribeLoadBalancers" => xml(elb(
            operation,
            &format!(
                "<LoadBalancers><member><LoadBalancerArn>{LB}</LoadBalancerArn><DNSName>web-alb-1.ap-northeast-1.elb.amazonaws.com</DNSName></member></LoadBalancers>"
            ),
        )),
        "DescribeTargetHealth" => xml(elb(
            operation,
            "<TargetHealthDescriptions>\
             <member><Target><Id>10.0.1.23</Id><Port>80</Port></Target><TargetHealth><State>unhealthy</State><Reason>Target.ResponseCodeMismatch</Reason><Description>Health checks failed with these codes: [404]</Description></TargetHealth></member>\
             <member><Target><Id>10.0.2.9</Id><Port>80</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member>\
             </TargetHealthDescriptions>",
        )),
        // The home page's reads (the test counts every call it sees).
        _ => (
            json!({"__type": "AccessDeniedException", "message": "not in this test"}).to_string(),
            "application/x-amz-json-1.1",
        ),
    }
}

const DEPLOYMENT: &str =
    "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/web-cluster/web";
const REVISION: &str = "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/web-cluster/web";

/// ECS's history of the service: a canary paused at a hook with 5 % of
/// production traffic on the new revision, and a rolling update the
/// circuit breaker rolled back.
fn deployments_answer(operation: &str) -> Value {
    let paused = json!({
        "serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2"),
        "serviceArn": format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/web-cluster/web"),
        "clusterArn": format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:cluster/web-cluster"),
        "createdAt": 1796000390.0, "startedAt": 1796000400.0, "updatedAt": 1796000700.0,
        "status": "IN_PROGRESS",
        "lifecycleStage": "PRODUCTION_TRAFFIC_SHIFT",
        "sourceServiceRevisions": [{"arn": format!("{REVISION}/1111"),
            "requestedTaskCount": 2, "runningTaskCount": 2, "pendingTaskCount": 0}],
        "targetServiceRevision": {"arn": format!("{REVISION}/2222"),
            "requestedTaskCount": 2, "runningTaskCount": 2, "pendingTaskCount": 0,
            "requestedProductionTrafficWeight": 5.0, "requestedTestTrafficWeight": 100.0},
        "lifecycleHookDetails": [{"hookId": "ecs-pause-e7tK9G", "targetType": "PAUSE",
            "status": "AWAITING_ACTION", "expiresAt": 1796087100.0, "timeoutAction": "ROLLBACK"}],
        "deploymentConfiguration": {"strategy": "CANARY", "bakeTimeInMinutes": 10,
            "canaryConfiguration": {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}},
        "deploymentCircuitBreaker": {"status": "MONITORING", "failureCount": 1, "threshold": 3},
        "alarms": {"status": "MONITORING", "alarmNames": ["web-target-5xx"], "triggeredAlarmNames": []}
    });
    let rolled_back = json!({
        "serviceDeploymentArn": format!("{DEPLOYMENT}/old3x9"),
        "status": "ROLLBACK_SUCCESSFUL",
        "startedAt": 1796000000.0, "finishedAt": 1796000350.0,
        "sourceServiceRevisions": [{"arn": format!("{REVISION}/1111"),
            "requestedTaskCount": 2, "runningTaskCount": 2, "pendingTaskCount": 0}],
        "targetServiceRevision": {"arn": format!("{REVISION}/1500",),
            "requestedTaskCount": 0, "runningTaskCount": 0, "pendingTaskCount": 0},
        "rollback": {"reason": "Service deployment rolled back because the circuit breaker threshold was exceeded.",
            "startedAt": 1796000300.0, "serviceRevisionArn": format!("{REVISION}/1111")},
        "deploymentCircuitBreaker": {"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
    });
    match operation {
        "ListServiceDeployments" => json!({"serviceDeployments": [
            {"serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2"), "status": "IN_PROGRESS",
             "startedAt": 1796000400.0, "targetServiceRevisionArn": format!("{REVISION}/2222")},
            {"serviceDeploymentArn": format!("{DEPLOYMENT}/old3x9"), "status": "ROLLBACK_SUCCESSFUL",
             "startedAt": 1796000000.0, "finishedAt": 1796000350.0,
             "targetServiceRevisionArn": format!("{REVISION}/1500")}
        ]}),
        "ContinueServiceDeployment" | "StopServiceDeployment" => {
            json!({"serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2")})
        }
        "DescribeServiceRevisions" => {
            let revision = |id: &str, td: u32, digest: &str| {
                json!({
                    "serviceRevisionArn": format!("{REVISION}/{id}"),
                    "serviceArn": format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:service/web-cluster/web"),
                    "clusterArn": format!("arn:aws:ecs:ap-northeast-1:{ACCOUNT}:cluster/web-cluster"),
                    "taskDefinition": format!("{TD}:{td}"),
                    "launchType": "FARGATE", "platformVersion": "1.4.0",
                    "loadBalancers": [{"targetGroupArn": TG, "containerName": "web", "containerPort": 80}],
                    "networkConfiguration": {"awsvpcConfiguration": {
                        "subnets": ["subnet-0a"], "securityGroups": ["sg-0a"], "assignPublicIp": "ENABLED"}},
                    "containerImages": [{"containerName": "web", "imageDigest": digest,
                        "image": format!("{ACCOUNT}.dkr.ecr.ap-northeast-1.amazonaws.com/web:v2")}],
                    "createdAt": 1796000390.0
                })
            };
            json!({"serviceRevisions": [
                revision("2222", 2, "sha256:2b2b"), revision("1111", 1, "sha256:1a1a")
            ], "failures": []})
        }
        // Described in another order than listed: the page keeps the list's.
        _ => json!({"serviceDeployments": [rolled_back, paused], "failures": []}),
    }
}

/// The recorded answers (and CloudWatch's) are AWS's shapes: botocore's
/// models say so.
#[test]
fn the_recorded_deployment_answers_are_aws_s_shapes() {
    for operation in [
        "ListServiceDeployments",
        "DescribeServiceDeployments",
        "ContinueServiceDeployment",
        "StopServiceDeployment",
        "DescribeServiceRevisions",
    ] {
        let answer = deployments_answer(operation);
        let refused = common::api_model::check_answer("ecs", operation, &answer);
        assert!(refused.is_empty(), "{operation}: {refused:?}");
    }
    // CloudWatch's answer, read as CBOR, is GetMetricData's output shape.
    let cbor: ciborium::Value = ciborium::from_reader(metric_data().as_slice()).expect("CBOR");
    let answer = common::api_model::cbor_json(cbor);
    let refused = common::api_model::check_answer("cloudwatch", "GetMetricData", &answer);
    assert!(refused.is_empty(), "GetMetricData: {refused:?}");
    // The check is not empty-handed: a drifted answer is refused.
    let drifted = json!({"serviceDeployments": [{"status": "PAUSED", "hookDetails": []}]});
    let refused = common::api_model::check_answer("ecs", "DescribeServiceDeployments", &drifted);
    assert_eq!(refused.len(), 2, "{refused:?}");
}

struct Replayed {
    app: InProcess,
    /// Each call: its operation and its body.
    calls: Arc<Mutex<Vec<(String, String)>>>,
}

impl Replayed {
    /// The calls made since the last look, counted by operation.
    fn take(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (call, _) in self.calls.lock().expect("lock").drain(..) {
            *counts.entry(call).or_default() += 1;
        }
        counts
    }
}

async fn replayed() -> Replayed {
    replayed_by(|connection| async { connected_app(connection).await }).await
}

/// The same replayed AWS, the app built by `build` over its connection.
async fn replayed_by<F, A>(build: F) -> Replayed
where
    F: FnOnce(Connection) -> A,
    A: std::future::Future<Output = InProcess>,
{
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let http = infallible_client_fn(move |request| {
        let (operation, body) = operation(&request);
        seen.lock()
            .expect("lock")
            .push((operation.clone(), body.clone()));
        if operation == "GetMetricData" {
            return http::Response::builder()
                .status(200)
                .header("content-type", "application/cbor")
                .header("smithy-protocol", "rpc-v2-cbor")
                .body(SdkBody::from(metric_data()))
                .expect("response");
        }
        let (body, content_type) = answer(&operation, &body);
        let known = !body.contains("AccessDeniedException");
        http::Response::builder()
            .status(if known { 200 } else { 400 })
            .header("content-type", content_type)
            .body(SdkBody::from(body))
            .expect("response")
    });
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(common::REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "SECRET", None, None, "test",
        )))
        .http_client(http)
        .build();
    let connection = Connection::Connected {
        aws: Aws::from_config(&config),
        identity: Identity {
            account: ACCOUNT.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/test"),
        },
    };
    let app = build(connection).await;
    let replayed = Replayed { app, calls };
    replayed.take(); // the home page's
    replayed
}

/// GetMetricData's answer as CloudWatch sends it (CBOR, timestamps as
/// tag 1 over a double): ten minutes of CPU and the response time's
/// percentiles, which moto cannot compute.
fn metric_data() -> Vec<u8> {
    use ciborium::Value as Cbor;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        / 60
        * 60;
    let series = |id: &str, values: &[f64]| {
        let times = (0..values.len())
            .map(|i| {
                let at = (now - 60 * (values.len() - i) as u64) as f64;
                Cbor::Tag(1, Box::new(Cbor::Float(at)))
            })
            .collect();
        Cbor::Map(vec![
            (Cbor::Text("Id".into()), Cbor::Text(id.into())),
            (Cbor::Text("Label".into()), Cbor::Text(id.into())),
            (Cbor::Text("Timestamps".into()), Cbor::Array(times)),
            (
                Cbor::Text("Values".into()),
                Cbor::Array(values.iter().map(|v| Cbor::Float(*v)).collect()),
            ),
            (
                Cbor::Text("StatusCode".into()),
                Cbor::Text("Complete".into()),
            ),
        ])
    };
    let answer = Cbor::Map(vec![
        (
            Cbor::Text("MetricDataResults".into()),
            Cbor::Array(vec![
                series("cpu_avg", &[12.0, 14.0, 90.5]),
                series("p50_0", &[0.021, 0.025, 0.030]),
                series("p95_0", &[0.120, 0.180, 0.250]),
                series("tasks", &[2.0, 2.0, 1.0]),
            ]),
        ),
        (Cbor::Text("Messages".into()), Cbor::Array(Vec::new())),
    ]);
    let mut body = Vec::new();
    ciborium::into_writer(&answer, &mut body).expect("CBOR");
    body
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

#[tokio::test]
async fn a_failing_service_explains_itself_with_bounded_calls() {
    let mut r = replayed().await;
    let page = r.app.get("/clusters/web-cluster/services/web").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // 210 tasks: two lists and three describes, whatever the count.
    assert_eq!(
        r.take(),
        counts(&[
            ("DescribeServices", 1),
            ("DescribeScalableTargets", 1),
            ("DescribeTargetGroups", 1),
            ("DescribeLoadBalancers", 1),
            ("DescribeTargetHealth", 1),
            ("ListTasks", 2),
            ("DescribeTasks", 3),
            ("ListTaskDefinitions", 1),
            // ECS's history: one list of 20 and one describe of them.
            ("ListServiceDeployments", 1),
            ("DescribeServiceDeployments", 1),
            // Every chart's series at once.
            ("GetMetricData", 1),
        ])
    );
    // CloudWatch's own answer (timestamps as doubles) and what moto
    // cannot give: the response time's percentiles, and Container
    // Insights' task count.
    assert_eq!(page.select("#chart-cpu .legend b"), ["90.5 %", "no data"]);
    assert_eq!(
        page.select("#chart-response-time .legend"),
        ["p50: 30 ms", "p95: 250 ms"]
    );
    assert_eq!(
        page.page()
            .attrs("#chart-response-time polyline", "points")
            .len(),
        2
    );
    assert_eq!(
        page.select("#chart-tasks p.help"),
        ["From Container Insights."]
    );
    assert_eq!(page.select("#chart-tasks .legend b"), ["1"]);
    let history = page.select("#deployment-history tbody tr");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("new7k2") && history[0].contains("1111 → 2222"));
    assert!(
        history[0].contains("Stage: PRODUCTION_TRAFFIC_SHIFT"),
        "{}",
        history[0]
    );
    assert!(history[0].contains("5 % to the new revision, 95 % to the old"));
    assert!(history[0].contains("hook ecs-pause-e7tK9G awaits Continue or Roll back"));
    assert!(history[0].contains("1 failed tasks of the 3"));
    assert!(
        history[1].contains("ROLLBACK_SUCCESSFUL")
            && history[1].contains("circuit breaker threshold was exceeded")
    );
    // The failed deployment, rolling back, keeps the page refreshing.
    let deployments = page.select("#deployments tbody tr");
    assert!(deployments[1].contains("FAILED") && deployments[1].contains("tasks failed to start"));
    assert!(deployments[0].contains("rolling back"));
    assert!(page.body.contains("hx-trigger=\"every 5s\""));
    let events = page.select("#events li");
    assert!(
        events[0].contains("deployment failed"),
        "newest first: {events:?}"
    );
    // The unhealthy target, its reason and what it usually means.
    let targets = page.select("#targets tbody tr");
    assert!(targets[0].contains("Target.ResponseCodeMismatch"));
    assert!(targets[0].contains("[404]"));
    assert!(
        targets[0].contains("/health"),
        "the explanation: {}",
        targets[0]
    );
    assert!(targets[1].contains("healthy") && !targets[1].contains("explanation"));
    // The ten newest stopped tasks first, the pull error on top; then
    // every running task.
    assert_eq!(page.select("#running-tasks tbody tr").len(), RUNNING);
    let stopped = page.select("#stopped-tasks tbody tr");
    assert_eq!(stopped.len(), 10);
    assert!(
        stopped[0].contains("TaskFailedToStart") && stopped[0].contains("CannotPullContainerError")
    );
    assert!(
        stopped[0].contains("NAT gateway"),
        "what to do: {}",
        stopped[0]
    );
    assert!(stopped[1].contains("nothing to fix"));
    let log = page
        .attr("#running-tasks tbody tr[data-task] a", "href")
        .expect("a log link per container");
    assert!(log.ends_with("/logs/web"), "{log}");

    // In Japanese, the same explanations in Japanese.
    let request = r
        .app
        .request("GET", "/clusters/web-cluster/services/web")
        .header("accept-language", "ja")
        .body(axum::body::Body::empty())
        .expect("request");
    let ja = r.app.send(request).await;
    let stopped = ja.select("#stopped-tasks tbody tr");
    assert!(
        stopped[0].contains("イメージを取得できませんでした"),
        "{}",
        stopped[0]
    );
    assert!(ja.select("#targets tbody tr")[0].contains("200 を返すページ"));
    r.take();

    // The log: the task, its revision, then its stream; newer lines after.
    let task_id = format!("{:032x}", RUNNING + STOPPED - 1);
    let log_url = format!("/clusters/web-cluster/services/web/tasks/{task_id}/logs/web");
    let log = r.app.get(&log_url).await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert_eq!(
        r.take(),
        counts(&[
            ("DescribeTasks", 1),
            ("DescribeTaskDefinition", 1),
            ("GetLogEvents", 1)
        ])
    );
    let lines = log.select("#log-lines li");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("could not connect to database"));
    assert!(log.body.contains(&format!("ecs/web/{task_id}")));
    let newer = log
        .attr("#log-more button", "hx-get")
        .expect("Load newer lines");
    let fragment = r.app.get(&newer).await;
    assert_eq!(fragment.status, 200);
    assert_eq!(
        r.take(),
        counts(&[("GetLogEvents", 1)]),
        "a fragment reads only its lines"
    );
    assert!(fragment.select("li")[0].contains("GET /health 404"));
    assert!(
        fragment.body.contains("hx-swap-oob"),
        "the next loader replaces this one"
    );
    // Filtered: only the lines that contain the text.
    let filtered = r.app.get(&format!("{log_url}?filter=error")).await;
    assert_eq!(filtered.select("#log-lines li").len(), 1);
    // Followed: the loader asks on its own.
    let followed = r.app.get(&format!("{log_url}?follow=1")).await;
    assert_eq!(
        followed.attr("#log-more button", "hx-trigger").as_deref(),
        Some("click, load delay:2s")
    );
}

/// Issue 24, item 3: a paused hook answered from the service page, and a
/// running deployment stopped, each confirmed first and sent as shown.
#[tokio::test]
async fn a_paused_deployment_is_continued_or_stopped_as_confirmed() {
    let mut r = replayed().await;
    let page = r.app.get("/clusters/web-cluster/services/web").await;
    let buttons = page.select("#deployment-history tbody tr:first-child button");
    assert_eq!(
        buttons,
        ["Continue…", "Roll back…", "Stop and roll back…"],
        "the running deployment's actions; the finished one has none"
    );
    assert!(
        page.select("#deployment-history tbody tr:nth-child(2) button")
            .is_empty()
    );
    let hook = format!("{DEPLOYMENT}/new7k2 ecs-pause-e7tK9G");
    for (action, sent, operation) in [
        (
            "continue",
            json!({"serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2"),
            "hookId": "ecs-pause-e7tK9G", "action": "CONTINUE"}),
            "ContinueServiceDeployment",
        ),
        (
            "roll-back",
            json!({"serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2"),
            "hookId": "ecs-pause-e7tK9G", "action": "ROLLBACK"}),
            "ContinueServiceDeployment",
        ),
        (
            "stop-deployment",
            json!({"serviceDeploymentArn": format!("{DEPLOYMENT}/new7k2"),
            "stopType": "ROLLBACK"}),
            "StopServiceDeployment",
        ),
    ] {
        let value = if action == "stop-deployment" {
            format!("{DEPLOYMENT}/new7k2")
        } else {
            hook.clone()
        };
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("action", action)
            .append_pair("value", &value)
            .finish();
        let confirm = r
            .app
            .get(&format!(
                "/clusters/web-cluster/services/web/update?{query}"
            ))
            .await;
        assert_eq!(confirm.status, 200, "{}", confirm.body);
        let shown: Value =
            serde_json::from_str(&confirm.select("#update-json")[0]).expect("the request shown");
        assert_eq!(shown, sent);
        r.take();
        let done = r
            .app
            .post(
                "/clusters/web-cluster/services/web/update",
                &[("action", action), ("value", &value)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(done.location.contains("done="), "{}", done.location);
        let calls = r.calls.lock().expect("lock").clone();
        let body = calls
            .iter()
            .find(|(o, _)| o == operation)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("{operation} sent: {calls:?}"));
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body, shown, "sent as shown");
        r.take();
    }
    // Another service's deployment is not this page's to stop.
    let other = "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/web-cluster/api/x1";
    let refused = r
        .app
        .post(
            "/clusters/web-cluster/services/web/update",
            &[("action", "stop-deployment"), ("value", other)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(!r.take().contains_key("StopServiceDeployment"));
}

/// In team mode a deployment's hook is continued by a deployer, audited with
/// the call as sent; a viewer's Continue is refused and sends nothing.
#[tokio::test]
async fn a_continued_deployment_is_audited_and_a_viewer_may_not_continue() {
    let mut r = replayed_by(|connection| async {
        let store = Store::open_in_memory().expect("store");
        add_user(&store, "vera", Role::Viewer).await;
        add_user(&store, "dan", Role::Deployer).await;
        settings(store, connection).local_accounts().app().await
    })
    .await;
    let path = "/clusters/web-cluster/services/web/update";
    let hook = format!("{DEPLOYMENT}/new7k2 ecs-pause-e7tK9G");
    let fields = [("action", "continue"), ("value", hook.as_str())];
    r.app.signed_in_as("vera").await;
    r.take();
    let refused = r.app.post(path, &fields).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(!r.take().contains_key("ContinueServiceDeployment"));

    r.app.signed_in_as("dan").await;
    r.take();
    let done = r.app.post(path, &fields).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let sent = r.calls.lock().expect("lock").clone();
    let sent = sent
        .iter()
        .find(|(o, _)| o == "ContinueServiceDeployment")
        .map(|(_, body)| serde_json::from_str::<Value>(body).expect("JSON"))
        .expect("ContinueServiceDeployment sent");
    let entries = r
        .app
        .store
        .audit_entries(AuditFilter::default(), 50)
        .await
        .expect("audit entries");
    let entry = entries
        .iter()
        .find(|e| {
            e.calls
                .iter()
                .any(|c| c.operation == "ContinueServiceDeployment")
        })
        .unwrap_or_else(|| panic!("the continue in the audit log: {entries:?}"));
    assert_eq!(
        (entry.user.as_str(), entry.role.as_str()),
        ("dan", "deployer")
    );
    assert_eq!((entry.method.as_str(), entry.path.as_str()), ("POST", path));
    let call = &entry.calls[0];
    assert_eq!(call.service, "ECS");
    assert_eq!(call.outcome.as_deref(), Some("ok"), "{call:?}");
    let audited: Value = serde_json::from_str(&call.request).expect("the audited request");
    assert_eq!(audited, sent, "the audit log keeps the request as sent");
    assert!(
        !entries
            .iter()
            .any(|e| e.user == "vera" && !e.calls.is_empty()),
        "the viewer's refusal made no call: {entries:?}"
    );
}

/// Issue 24, item 3: a deployment's two service revisions compared, in one
/// DescribeServiceRevisions, linked from the history.
#[tokio::test]
async fn a_deployment_s_revisions_are_compared_in_one_call() {
    let mut r = replayed().await;
    let page = r.app.get("/clusters/web-cluster/services/web").await;
    let link = page
        .attr("#deployment-history tbody tr:first-child td a", "href")
        .expect("a compare link");
    r.take();
    let compare = r.app.get(&link).await;
    assert_eq!(compare.status, 200, "{}", compare.body);
    assert_eq!(r.take(), counts(&[("DescribeServiceRevisions", 1)]));
    let rows = compare.select("#revision-changes tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("taskDefinition")
            && rows[0].contains("web:1")
            && rows[0].contains("web:2")
    );
    assert!(rows[1].contains("images › web › imageDigest") && rows[1].contains("sha256:1a1a"));
    // Another service's revision is not looked up through this page.
    let other = format!(
        "/clusters/web-cluster/services/web/revisions/compare?a={}&b={}",
        "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/web-cluster/api/1",
        "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/web-cluster/web/2222"
    );
    assert_eq!(r.app.get(&other).await.status, 404);
    assert!(r.take().is_empty());
}
