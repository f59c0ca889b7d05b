//! Issue 22, item 15, against moto: `ecs-wizard emulator ready` makes the
//! default VPC look like a fresh AWS account's (an internet gateway and a
//! route), puts a sample image in ECR when asked, and changes nothing when
//! run again; `emulator reset` empties the emulator and forgets what the
//! app recorded about it.

use crate::common;

use std::process::Command;

use common::{Client, ecr_client, ecs_client, sdk_config};

/// Runs `ecs-wizard --endpoint-url URL … emulator ARGS` on `data`; its output.
fn emulator(url: Option<&str>, data: &std::path::Path, args: &[&str]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecs-wizard"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", data)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .args(["--region", "ap-northeast-1", "--data-dir"])
        .arg(data);
    if let Some(url) = url {
        command.args(["--endpoint-url", url]);
    }
    let output = command.arg("emulator").args(args).output().expect("run");
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

async fn default_vpc_routes_out(url: &str) -> bool {
    let ec2 = aws_sdk_ec2::Client::new(&sdk_config(url));
    let vpcs = ec2.describe_vpcs().send().await.expect("VPCs");
    let vpc = vpcs
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .expect("a default VPC")
        .to_string();
    let tables = ec2.describe_route_tables().send().await.expect("tables");
    tables
        .route_tables()
        .iter()
        .filter(|t| t.vpc_id() == Some(vpc.as_str()))
        .flat_map(|t| t.routes())
        .any(|r| {
            r.destination_cidr_block() == Some("0.0.0.0/0")
                && r.gateway_id().is_some_and(|g| g.starts_with("igw-"))
        })
}

#[tokio::test]
async fn ready_gives_the_default_vpc_a_way_out_and_a_sample_image_once() {
    let moto = common::moto();
    let data = tempfile::tempdir().expect("data");
    assert!(
        !default_vpc_routes_out(&moto.url).await,
        "moto starts without one"
    );

    let (ok, said) = emulator(None, data.path(), &["ready"]);
    assert!(
        !ok && said.contains("--endpoint-url"),
        "never without an emulator: {said}"
    );

    let (ok, said) = emulator(Some(&moto.url), data.path(), &["ready", "--sample-image"]);
    assert!(ok, "{said}");
    assert!(said.contains("Attached internet gateway"), "{said}");
    assert!(default_vpc_routes_out(&moto.url).await);
    let images = ecr_client(&moto.url)
        .list_images()
        .repository_name("sample-app")
        .send()
        .await
        .expect("images");
    assert_eq!(images.image_ids()[0].image_tag(), Some("latest"));

    // Again: found done, nothing made twice.
    let (ok, said) = emulator(Some(&moto.url), data.path(), &["ready", "--sample-image"]);
    assert!(ok, "{said}");
    assert!(said.contains("already"), "{said}");
    let ec2 = aws_sdk_ec2::Client::new(&sdk_config(&moto.url));
    let gateways = ec2.describe_internet_gateways().send().await.expect("IGWs");
    assert_eq!(gateways.internet_gateways().len(), 1);
}

#[tokio::test]
async fn reset_empties_the_emulator_and_the_app_forgets_what_it_recorded() {
    let moto = common::moto();
    let app = common::app(Some(&moto.url));
    let client = Client::new(&app.url).await;
    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &common::fixture("reference_003_input.json"))],
        )
        .await;
    let draft = imported.location.trim_end_matches("/configure").to_string();
    let created = client.press(&format!("{draft}/create")).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let home = client.get("/").await;
    assert_eq!(home.select("#registrations li a").len(), 1);

    let data = app.database().parent().expect("data folder").to_path_buf();
    let (ok, said) = emulator(Some(&moto.url), &data, &["reset"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("Forgot 1 revisions registered here"),
        "{said}"
    );
    let families = ecs_client(&moto.url)
        .list_task_definition_families()
        .send()
        .await
        .expect("families");
    assert!(families.families().is_empty(), "the emulator is empty");
    assert!(default_vpc_routes_out(&moto.url).await, "and ready again");
    client.post("/refresh", &[("back", "/")]).await;
    let home = client.get("/").await;
    assert!(home.select("#registrations li a").is_empty());
    assert_eq!(
        home.select("ul.drafts li a").len(),
        1,
        "the draft is the person's work: it stays"
    );
}
