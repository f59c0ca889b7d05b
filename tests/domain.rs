//! Issue 23, items 1, 2 and 5: a service on its own domain. The plan
//! requests a certificate, writes ACM's validation CNAME, waits until the
//! certificate is issued, makes the HTTPS listener with it and points the
//! name at the load balancer, against moto (ACM, Route 53, ELB, ECS).
//! moto issues a certificate at once; what it cannot show (two answers
//! PENDING_VALIDATION, then ISSUED; or FAILED) is answered at the SDK's
//! HTTP layer by a proxy in front of it.

use crate::common;

use std::time::Duration;

use common::faults::fault_proxy;
use common::network::{cluster_and_task_definition, default_network, hosted_zone};
use common::{moto, sdk_config};
use ecs_wizard::aws::Aws;
use ecs_wizard::deploy::runner::Retry;
use ecs_wizard::deploy::{plan_run, service_plan};
use ecs_wizard::model::domain::Domain;
use ecs_wizard::model::load_balancing::{NewLoadBalancer, TargetGroup};
use ecs_wizard::model::service::Service;
use ecs_wizard::model::service::draft::{LoadBalancing, ServiceDraft};
use ecs_wizard::store::Store;
use ecs_wizard::store::runs::{Run, RunStatus};
use serde_json::{Value, json};

/// Quick pauses: a wait's checks come 20 ms apart.
const QUICK: Retry = Retry {
    attempts: 3,
    first_delay: Duration::from_millis(10),
    max_delay: Duration::from_millis(20),
};

struct World {
    _moto: common::Moto,
    proxy: common::faults::FaultProxy,
    config: aws_config::SdkConfig,
    zone: String,
    draft: ServiceDraft,
}

/// Reference 002's network, cluster and revision, the public zone
/// `example.com.`, and a draft for `shop.example.com` with its certificate
/// requested.
async fn world() -> World {
    let moto = moto();
    let proxy = fault_proxy(&moto.url).await;
    let config = sdk_config(&moto.url);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let ecs = aws_sdk_ecs::Client::new(&config);
    let (vpc, subnets) = default_network(&ec2).await;
    cluster_and_task_definition(&ecs, "shop", "shop-task", "web").await;
    let zone = hosted_zone(&config, "example.com").await;
    let mut draft = ServiceDraft {
        vpc_id: vpc,
        load_balancing: LoadBalancing::New,
        load_balancer: NewLoadBalancer {
            load_balancer_name: "shop-alb".into(),
            security_group_name: "shop-alb-sg".into(),
            target_group: TargetGroup {
                name: "shop-tg".into(),
                ..TargetGroup::default()
            },
            service_security_group_name: "shop-sg".into(),
            ..NewLoadBalancer::default()
        },
        container: "web:80".into(),
        service: Service {
            cluster: "shop".into(),
            service_name: "shop".into(),
            task_definition: "shop-task:1".into(),
            health_check_grace_period_seconds: Some(60),
            ..Service::default()
        },
        domain: Domain {
            name: "shop.example.com".into(),
            hosted_zone_id: zone.clone(),
        },
        request_certificate: true,
        ..ServiceDraft::default()
    };
    draft
        .service
        .network_configuration
        .awsvpc_configuration
        .subnets = subnets;
    assert!(draft.issues().is_empty(), "{:?}", draft.issues());
    World {
        _moto: moto,
        proxy,
        config,
        zone,
        draft,
    }
}

/// DescribeCertificate's answer in `status`, naming ACM's CNAME.
fn described(status: &str) -> Value {
    let mut certificate = json!({
        "CertificateArn": "arn:aws:acm:ap-northeast-1:123456789012:certificate/simulated",
        "DomainName": "shop.example.com",
        "Status": status,
        "DomainValidationOptions": [{
            "DomainName": "shop.example.com",
            "ValidationMethod": "DNS",
            "ValidationStatus": status,
            "ResourceRecord": {
                "Name": "_3639ac514e785e898d2646601fa951d5.shop.example.com.",
                "Type": "CNAME",
                "Value": "_98d2646601fa951d5.mhbtsbpdnt.acm-validations.aws.",
            },
        }],
    });
    if status == "FAILED" {
        certificate["FailureReason"] = json!("CAA_ERROR");
    }
    json!({"Certificate": certificate})
}

async fn run(w: &World, store: &Store) -> Run {
    let aws = Aws::from_config(&sdk_config(&w.proxy.url));
    let run_id = plan_run::start(
        store,
        &aws,
        "services",
        "draft",
        &json!(w.draft),
        service_plan::plan(&w.draft),
        QUICK,
    )
    .await
    .expect("recorded")
    .expect("a run");
    common::plans::finished(store, &run_id).await
}

/// The zone's records: (name, type, alias target or first value).
async fn records(w: &World) -> Vec<(String, String, String)> {
    let route53 = aws_sdk_route53::Client::new(&w.config);
    let listed = route53
        .list_resource_record_sets()
        .hosted_zone_id(&w.zone)
        .send()
        .await
        .expect("records");
    listed
        .resource_record_sets()
        .iter()
        .filter(|r| !matches!(r.r#type().as_str(), "NS" | "SOA"))
        .map(|r| {
            let target = r
                .alias_target()
                .map(|a| a.dns_name().to_string())
                .or_else(|| r.resource_records().first().map(|v| v.value().to_string()))
                .unwrap_or_default();
            (
                r.name().to_string(),
                r.r#type().as_str().to_string(),
                target,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_is_waited_for_then_the_name_points_at_the_load_balancer() {
    let w = world().await;
    // ACM takes its time: the record is there at once, the certificate
    // is pending twice, then issued (moto's own answer).
    w.proxy.answer_in_turn(
        "DescribeCertificate",
        vec![
            described("PENDING_VALIDATION"),
            described("PENDING_VALIDATION"),
            described("PENDING_VALIDATION"),
        ],
    );
    let store = Store::open_in_memory().expect("store");
    let run = run(&w, &store).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{}", run.outcome);
    // One answer for the record, two pending and one issued for the wait.
    assert_eq!(w.proxy.count("DescribeCertificate"), 4);
    let waited = run
        .steps
        .iter()
        .find(|s| s.step_id == "CertificateIssued")
        .expect("the wait's line");
    assert!(
        waited
            .answer
            .as_ref()
            .is_some_and(|a| a["Certificate"]["Status"] == "ISSUED")
    );

    let outputs = &run.outcome["outputs"];
    let certificate = outputs["RequestCertificate.CertificateArn"]
        .as_str()
        .expect("the requested certificate")
        .to_string();
    let acm = aws_sdk_acm::Client::new(&w.config);
    let issued = acm
        .describe_certificate()
        .certificate_arn(&certificate)
        .send()
        .await
        .expect("described");
    let issued = issued.certificate().expect("certificate");
    assert_eq!(issued.domain_name(), Some("shop.example.com"));

    // The HTTPS listener has it; port 80 redirects.
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let listeners = elbv2
        .describe_listeners()
        .load_balancer_arn(
            outputs["CreateLoadBalancer.LoadBalancerArn"]
                .as_str()
                .unwrap(),
        )
        .send()
        .await
        .expect("listeners");
    let https = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(443))
        .expect("an HTTPS listener");
    assert_eq!(
        https.certificates()[0].certificate_arn(),
        Some(certificate.as_str())
    );

    // The validation CNAME and the alias records are in the zone.
    let dns = outputs["CreateLoadBalancer.DNSName"].as_str().unwrap();
    let records = records(&w).await;
    assert!(
        records.iter().any(|(name, kind, value)| kind == "CNAME"
            && name.starts_with("_")
            && value.ends_with("acm-validations.aws.")),
        "{records:?}"
    );
    for kind in ["A", "AAAA"] {
        assert!(
            records
                .iter()
                .any(|(name, k, target)| name == "shop.example.com."
                    && k == kind
                    && target.trim_end_matches('.') == format!("dualstack.{dns}")),
            "{kind} alias: {records:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_certificate_stops_the_run_and_clean_up_takes_its_records_away() {
    let w = world().await;
    w.proxy.answer_in_turn(
        "DescribeCertificate",
        vec![described("PENDING_VALIDATION"), described("FAILED")],
    );
    let store = Store::open_in_memory().expect("store");
    let run = run(&w, &store).await;
    assert_eq!(run.status, RunStatus::Refused);
    let failed = &run.outcome["failed"][0];
    assert_eq!(failed["step"], "CertificateIssued", "{}", run.outcome);
    assert_eq!(failed["code"], "CertificateNotIssued");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("FAILED (CAA_ERROR)")
    );
    assert!(
        records(&w).await.iter().any(|(_, kind, _)| kind == "CNAME"),
        "the validation record was written"
    );
    let names: Vec<&str> = run.steps.iter().map(|s| s.step_id.as_str()).collect();
    assert!(
        !names.contains(&"CreateListener"),
        "nothing waits past a failed certificate"
    );

    // Clean up deletes what the run made, the certificate last.
    let aws = Aws::from_config(&sdk_config(&w.proxy.url));
    assert!(
        plan_run::clean_up(&store, &aws, &run, service_plan::plan(&w.draft), QUICK)
            .await
            .expect("recorded")
    );
    let cleaned = common::plans::finished(&store, &run.id).await;
    assert_eq!(cleaned.status, RunStatus::Undone, "{}", cleaned.outcome);
    assert!(records(&w).await.is_empty(), "{:?}", records(&w).await);
    let acm = aws_sdk_acm::Client::new(&w.config);
    let left = acm.list_certificates().send().await.expect("listed");
    assert!(left.certificate_summary_list().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_that_runs_out_is_resumed_from_where_it_stopped() {
    let w = world().await;
    let pending: Vec<Value> = (0..200).map(|_| described("PENDING_VALIDATION")).collect();
    w.proxy.answer_in_turn("DescribeCertificate", pending);
    let store = Store::open_in_memory().expect("store");
    let run = run(&w, &store).await;
    assert_eq!(run.status, RunStatus::Refused);
    let failed = &run.outcome["failed"][0];
    assert_eq!(failed["code"], "StillWaiting", "{}", run.outcome);
    // Bounded: the record's one check, then the certificate's 150.
    assert_eq!(w.proxy.count("DescribeCertificate"), 151);

    // ACM issues it meanwhile; Resume asks again and finishes, sending
    // nothing twice.
    w.proxy.clear();
    let aws = Aws::from_config(&sdk_config(&w.proxy.url));
    assert!(
        plan_run::resume(&store, &aws, &run, service_plan::plan(&w.draft), QUICK)
            .await
            .expect("recorded")
    );
    let resumed = common::plans::finished(&store, &run.id).await;
    assert_eq!(resumed.status, RunStatus::Succeeded, "{}", resumed.outcome);
    assert_eq!(w.proxy.count("RequestCertificate"), 1);
    let acm = aws_sdk_acm::Client::new(&w.config);
    let certificates = acm.list_certificates().send().await.expect("listed");
    assert_eq!(certificates.certificate_summary_list().len(), 1);
}

/// Through the form, as a person does: the domain and "Request a new
/// certificate" are chosen, the review shows each step with its wait, the
/// run makes everything, and the service page links the domain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_puts_a_service_on_its_domain_and_the_page_links_it() {
    use common::services::{CLUSTER, create, fill_in, reference_002_fields, world};
    let w = world().await;
    let zone = hosted_zone(&w.config, "example.com").await;
    let mut fields = reference_002_fields();
    fields.extend([
        ("domain.name", "shop.example.com"),
        ("domain.hostedZoneId", zone.as_str()),
        ("loadBalancer.certificateArn", "request"),
    ]);
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let review = fill_in(&w, &query, &fields).await;
    let steps = review.select("#plan tbody td code");
    assert_eq!(
        steps[..4],
        [
            "acm:RequestCertificate",
            "acm:DescribeCertificate",
            "route53:ChangeResourceRecordSets",
            "acm:DescribeCertificate"
        ]
    );
    assert!(
        review
            .select("#plan tbody td")
            .iter()
            .any(|t| t.contains("until the certificate is ISSUED")),
        "the wait is said on the review"
    );
    assert!(
        review.select("#preflight .msg.error").is_empty(),
        "{:?}",
        review.select("#preflight .msg.error")
    );
    let (_, run) = create(&w, &review).await;
    assert!(
        common::services::states(&run).iter().all(|s| s == "ok"),
        "{:?}",
        common::services::states(&run)
    );
    // The run ends with the address, as the service page links it.
    assert_eq!(
        run.attr("a.domain-link", "href").as_deref(),
        Some("https://shop.example.com/")
    );
    let page = w
        .client
        .get(&format!("/clusters/{CLUSTER}/services/ecs-fargate-service"))
        .await;
    assert_eq!(
        page.attr("a.domain-link", "href").as_deref(),
        Some("https://shop.example.com/")
    );
}

/// A name outside the zone, and a certificate that does not cover it, are
/// said beside their fields, and preflight blocks Create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_outside_its_zone_or_certificate_is_said_beside_the_field() {
    use common::services::{CLUSTER, fill_in, reference_002_fields, world};
    let w = world().await;
    let zone = hosted_zone(&w.config, "example.com").await;
    let other = common::services::issued_certificate(&w, "*.example.org").await;
    let query = format!("cluster={CLUSTER}&taskDefinition=ecs-fargate-task:1");
    let mut fields = reference_002_fields();
    fields.extend([
        ("domain.name", "shop.example.org"),
        ("domain.hostedZoneId", zone.as_str()),
        ("loadBalancer.certificateArn", other.as_str()),
    ]);
    let review = fill_in(&w, &query, &fields).await;
    let errors = review.select("#preflight .msg.error");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("not in the zone example.com")),
        "{errors:?}"
    );
    assert!(
        !review.select("#create-blocked").is_empty(),
        "Create waits for a fix"
    );
    let edit = review
        .attr("a[href^='/services/drafts/']", "href")
        .expect("Edit");
    let form = w.client.get(&edit).await;
    assert!(
        form.messages_for("domain.name")
            .iter()
            .any(|m| m.contains("not in the zone example.com")),
        "{:?}",
        form.messages_for("domain.name")
    );
    // In the zone now, but the certificate is for example.org's names.
    let mut fields = reference_002_fields();
    fields.extend([
        ("domain.name", "shop.example.com"),
        ("domain.hostedZoneId", zone.as_str()),
        ("loadBalancer.certificateArn", other.as_str()),
    ]);
    let review = fill_in(&w, &query, &fields).await;
    let errors = review.select("#preflight .msg.error");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("does not cover shop.example.com")),
        "{errors:?}"
    );
}
