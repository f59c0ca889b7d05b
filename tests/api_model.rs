//! Issue 22, item 3: the check every emulator-backed test runs under
//! (`common::api_model`) refuses what AWS's published models refuse.

use crate::common;

use axum::http::HeaderMap;
use common::api_model::{check, check_request};

fn json_target(target: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-amz-target", target.parse().expect("header"));
    headers
}

#[test]
fn the_models_refuse_what_aws_refuses() {
    let ecs = json_target("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition");
    let fine = br#"{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}]}"#;
    assert!(check(&ecs, fine).is_empty(), "{:?}", check(&ecs, fine));
    let bad = br#"{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "esential": true}], "networkMode": "bridged"}"#;
    let found = check(&ecs, bad);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|f| f.contains("esential is not a member")));
    assert!(
        found
            .iter()
            .any(|f| f.contains("\"bridged\" is not one of"))
    );
    let missing = check(&ecs, br#"{"containerDefinitions": []}"#);
    assert!(missing[0].contains("required member family"), "{missing:?}");

    let query = HeaderMap::new();
    let role = b"Action=CreateRole&Version=2010-05-08&RoleName=web&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=team&Tags.member.1.Value=a";
    assert!(check(&query, role).is_empty(), "{:?}", check(&query, role));
    let long = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={}&AssumeRolePolicyDocument=%7B%7D",
        "r".repeat(65)
    );
    assert!(check(&query, long.as_bytes())[0].contains("maximum is 64"));
    let ec2 = b"Action=CreateSecurityGroup&Version=2016-11-15&GroupName=sg&GroupDescription=d&VpcId=vpc-1&TagSpecification.1.ResourceType=security-group&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v";
    assert!(check(&query, ec2).is_empty(), "{:?}", check(&query, ec2));
    let elb = b"Action=CreateTargetGroup&Version=2015-12-01&Name=tg&Protocol=HTTPS2&Port=80";
    assert!(
        check(&query, elb)[0].contains("is not one of"),
        "{:?}",
        check(&query, elb)
    );
}

/// Route 53 speaks REST-XML: the operation is in the method and path, the
/// members in the XML body and the query string.
#[test]
fn route53_s_xml_is_held_to_its_model_too() {
    let post = axum::http::Method::POST;
    let uri: axum::http::Uri = "/2013-04-01/hostedzone/Z0123456789ABC/rrset/"
        .parse()
        .unwrap();
    let change = |kind: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>shop.example.com</Name><Type>{kind}</Type><AliasTarget><HostedZoneId>Z14GRHDCWA56QT</HostedZoneId><DNSName>dualstack.web-1.elb.amazonaws.com</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#
        )
    };
    let headers = HeaderMap::new();
    let fine = check_request(&post, &uri, &headers, change("A").as_bytes());
    assert!(fine.is_empty(), "{fine:?}");
    let bad = check_request(&post, &uri, &headers, change("ALIAS").as_bytes());
    assert!(bad[0].contains("\"ALIAS\" is not one of"), "{bad:?}");
    let list: axum::http::Uri = "/2013-04-01/hostedzone?maxitems=100".parse().unwrap();
    let read = check_request(&axum::http::Method::GET, &list, &headers, b"");
    assert!(read.is_empty(), "{read:?}");
}

/// Every emulator a test starts is behind the check: a request moto
/// accepts and AWS would refuse is caught on its way.
#[tokio::test]
async fn what_moto_accepts_and_aws_refuses_is_caught_on_the_way() {
    let moto = common::moto();
    let ecs = common::ecs_client(&moto.url);
    ecs.register_task_definition()
        .family("web")
        .cpu("3")
        .container_definitions(
            aws_sdk_ecs::types::ContainerDefinition::builder()
                .name("app")
                .image("nginx")
                .memory(512)
                .build(),
        )
        .send()
        .await
        .expect("moto accepts it");
    assert!(moto.take_refused().is_empty(), "a valid request passes");
    let iam = common::iam_client(&moto.url);
    let refused = iam
        .create_role()
        .role_name("r".repeat(65))
        .assume_role_policy_document("{}")
        .send()
        .await;
    let _ = refused;
    let found = moto.take_refused();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("iam:CreateRole.RoleName"), "{found:?}");
}

/// CloudWatch speaks CBOR: the operation is in the path, the members in
/// the CBOR body.
#[test]
fn cloudwatch_s_cbor_is_held_to_its_model_too() {
    let post = axum::http::Method::POST;
    let uri: axum::http::Uri = "/service/GraniteServiceVersion20100801/operation/PutMetricAlarm"
        .parse()
        .unwrap();
    let cbor = |value: serde_json::Value| {
        let mut body = Vec::new();
        ciborium::into_writer(&value, &mut body).expect("CBOR");
        body
    };
    let fine = cbor(serde_json::json!({
        "AlarmName": "web-target-5xx", "EvaluationPeriods": 2, "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Metrics": [{"Id": "errors", "Expression": "FILL(first, 0)", "ReturnData": true}]
    }));
    let found = check_request(&post, &uri, &HeaderMap::new(), &fine);
    assert!(found.is_empty(), "{found:?}");
    let bad = cbor(serde_json::json!({
        "AlarmName": "web", "EvaluationPeriods": 2, "ComparisonOperator": "Bigger", "Treshold": 5
    }));
    let found = check_request(&post, &uri, &HeaderMap::new(), &bad);
    assert!(
        found.iter().any(|f| f.contains("Treshold is not a member")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.contains("is not one of")),
        "{found:?}"
    );
}
