//! The task definition wizard over real HTTP against moto: what the forms
//! send is what the emulator holds, and nothing invalid ever reaches it.

use crate::common;

use common::{Running, ecs_client, fixture, registered_families, start};
use serde_json::Value;

fn draft_path(location: &str) -> String {
    location.trim_end_matches("/configure").to_string()
}

/// Reference 000, typed into the three steps' forms as a person would.
const CONFIGURE_000: &[(&str, &str)] = &[
    ("family", "zenn-clone-task-definition-backend"),
    ("launchType", "FARGATE"),
    ("platform", "LINUX/X86_64"),
    ("networkMode", "awsvpc"),
    ("cpu", "256"),
    ("memory", "512"),
    ("taskRoleArn", "ecsTaskExecutionRole"),
    ("executionRoleArn", "ecsTaskExecutionRole"),
    ("ephemeralStorage", ""),
    ("advanced", ""),
    ("action", "next"),
];

fn containers_000() -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let containers = [
        (
            "rails",
            "zenn-clone-rails",
            "3000",
            "curl --unix-socket /myapp/tmp/sockets/puma.sock localhost/api/v1/health_check || exit 1",
        ),
        (
            "nginx",
            "zenn-clone-nginx",
            "80",
            "curl -f http://localhost/api/v1/health_check || exit 1",
        ),
    ];
    for (i, (name, repository, port, check)) in containers.iter().enumerate() {
        let p = |f: &str| format!("containerDefinitions.{i}.{f}");
        let image =
            format!("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/{repository}:latest");
        for (field, value) in [
            ("name", name.to_string()),
            ("image", image),
            ("essential", "on".into()),
            ("portMappings.0.containerPort", port.to_string()),
            ("portMappings.0.hostPort", port.to_string()),
            ("portMappings.0.protocol", "tcp".into()),
            ("cpu", "0".into()),
            ("logCollection", "on".into()),
            (
                "logConfiguration.awslogs-group",
                "/ecs/zenn-clone-task-definition-backend".into(),
            ),
            ("logConfiguration.awslogs-region", "ap-northeast-1".into()),
            ("logConfiguration.awslogs-stream-prefix", "ecs".into()),
            ("logConfiguration.awslogs-create-group", "true".into()),
            ("healthCheck.command", format!("CMD-SHELL, {check}")),
            ("healthCheck.interval", "30".into()),
            ("healthCheck.timeout", "5".into()),
            ("healthCheck.retries", "3".into()),
        ] {
            fields.push((p(field), value));
        }
    }
    for (field, value) in [
        (
            "containerDefinitions.0.environment.0.name",
            "RAILS_LOG_TO_STDOUT",
        ),
        ("containerDefinitions.0.environment.0.value", "true"),
        (
            "containerDefinitions.0.environment.1.name",
            "RAILS_MASTER_KEY",
        ),
        (
            "containerDefinitions.0.environment.1.value",
            "0123456789abcdef0123456789abcdef",
        ),
        ("containerDefinitions.1.dependsOn.0.containerName", "rails"),
        ("containerDefinitions.1.dependsOn.0.condition", "HEALTHY"),
        ("action", "next"),
    ] {
        fields.push((field.to_string(), value.to_string()));
    }
    fields
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn reference_000_built_through_the_forms_is_what_the_emulator_holds() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;

    let created = client.post("/task-definitions/drafts", &[]).await;
    assert_eq!(created.status, 303);
    let draft = draft_path(&created.location);

    let step1 = client
        .post(&format!("{draft}/configure"), CONFIGURE_000)
        .await;
    assert_eq!(
        (step1.status, step1.location.as_str()),
        (303, format!("{draft}/containers").as_str()),
        "{}",
        step1.text
    );
    let step2 = client
        .post(&format!("{draft}/containers"), &borrowed(&containers_000()))
        .await;
    assert_eq!(step2.status, 303, "{}", step2.text);
    let step3 = client
        .post(
            &format!("{draft}/storage"),
            &[
                ("volumesFrom.0.container", "nginx"),
                ("volumesFrom.0.sourceContainer", "rails"),
                ("action", "next"),
            ],
        )
        .await;
    assert_eq!(step3.location, format!("{draft}/review"));

    // Back and forward keep what was entered.
    let containers = client.get(&format!("{draft}/containers")).await;
    assert_eq!(
        containers
            .attr("#containerDefinitions\\.1\\.name", "value")
            .as_deref(),
        Some("nginx")
    );
    assert_eq!(
        containers.messages_for("containerDefinitions.0.environment.1.name"),
        [
            "RAILS_MASTER_KEY looks like a secret. Anyone who can read the task definition can read it: put it in Secrets (Secrets Manager or SSM) instead."
        ]
    );

    let review = client.get(&format!("{draft}/review")).await;
    let request: Value = serde_json::from_str(&review.select("#request-json")[0]).unwrap();
    let expected: Value = serde_json::from_str(&fixture("reference_000.json")).unwrap();
    assert_eq!(request, expected, "the review shows exactly reference 000");
    assert!(
        review.text.contains("RAILS_MASTER_KEY looks like a secret"),
        "the master key is flagged"
    );

    let page = client.press(&format!("{draft}/create")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(
        page.select("#family-revision"),
        ["zenn-clone-task-definition-backend:1"]
    );
    assert_eq!(
        page.attr("#create-service", "href").as_deref(),
        Some("/services/new?taskDefinition=zenn-clone-task-definition-backend%3A1"),
        "the service wizard with this revision chosen"
    );

    let described = ecs_client(&moto.url)
        .describe_task_definition()
        .task_definition("zenn-clone-task-definition-backend:1")
        .send()
        .await
        .unwrap();
    let td = described.task_definition().unwrap();
    assert_eq!(td.cpu(), Some("256"));
    assert_eq!(td.memory(), Some("512"));
    assert_eq!(td.network_mode().map(|m| m.as_str()), Some("awsvpc"));
    assert_eq!(
        td.execution_role_arn(),
        Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
    );
    assert_eq!(
        td.task_role_arn(),
        Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
    );
    assert_eq!(
        td.requires_compatibilities()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["FARGATE"]
    );
    let platform = td.runtime_platform().unwrap();
    assert_eq!(
        platform.cpu_architecture().map(|a| a.as_str()),
        Some("X86_64")
    );
    let [rails, nginx] = td.container_definitions() else {
        panic!("two containers")
    };
    assert_eq!(rails.name(), Some("rails"));
    assert_eq!(
        rails.image(),
        Some("123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/zenn-clone-rails:latest")
    );
    assert_eq!(rails.essential(), Some(true));
    assert_eq!(rails.port_mappings()[0].container_port(), Some(3000));
    assert_eq!(rails.environment().len(), 2);
    assert_eq!(rails.environment()[0].name(), Some("RAILS_LOG_TO_STDOUT"));
    let log = rails.log_configuration().unwrap();
    assert_eq!(log.log_driver().as_str(), "awslogs");
    assert_eq!(
        log.options()
            .unwrap()
            .get("awslogs-group")
            .map(String::as_str),
        Some("/ecs/zenn-clone-task-definition-backend")
    );
    assert_eq!(
        log.options()
            .unwrap()
            .get("awslogs-stream-prefix")
            .map(String::as_str),
        Some("ecs")
    );
    assert_eq!(rails.health_check().unwrap().command()[0], "CMD-SHELL");
    assert_eq!(nginx.port_mappings()[0].container_port(), Some(80));
    assert_eq!(nginx.depends_on()[0].container_name(), "rails");
    assert_eq!(nginx.depends_on()[0].condition().as_str(), "HEALTHY");
    assert_eq!(nginx.volumes_from()[0].source_container(), Some("rails"));
}

/// Every key of `pasted` is in `registered` with the same value (AWS adds defaults such as cpu 0).
fn assert_contains(registered: &Value, pasted: &Value, at: &str) {
    match (registered, pasted) {
        (Value::Object(r), Value::Object(p)) => {
            for (key, value) in p {
                let there = r.get(key).unwrap_or_else(|| {
                    panic!("{at}.{key} is missing from the registered definition")
                });
                assert_contains(there, value, &format!("{at}.{key}"));
            }
        }
        (Value::Array(r), Value::Array(p)) => {
            assert_eq!(r.len(), p.len(), "{at}");
            for (i, (r, p)) in r.iter().zip(p).enumerate() {
                assert_contains(r, p, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(registered, pasted, "{at}"),
    }
}

#[tokio::test]
async fn reference_003_json_imported_and_created_is_registered_as_pasted() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let pasted = fixture("reference_003_input.json");
    let imported = client
        .post("/task-definitions/import", &[("json", &pasted)])
        .await;
    assert_eq!(imported.status, 303);
    let draft = draft_path(&imported.location);
    let review = client.get(&format!("{draft}/review")).await;
    let pasted: Value = serde_json::from_str(&pasted).unwrap();
    let shown: Value = serde_json::from_str(&review.select("#request-json")[0]).unwrap();
    assert_eq!(shown, pasted, "the request is the pasted JSON, unchanged");

    let page = client.press(&format!("{draft}/create")).await;
    let registered: Value = serde_json::from_str(&page.select("#registered")[0]).unwrap();
    assert_contains(&registered, &pasted, "taskDefinition");
    assert_eq!(registered["revision"], 1);

    let ecs = ecs_client(&moto.url);
    let described = ecs
        .describe_task_definition()
        .task_definition("ContainerHandsOn")
        .send()
        .await
        .unwrap();
    let td = described.task_definition().unwrap();
    assert_eq!(td.family(), Some("ContainerHandsOn"));
    let options = td.container_definitions()[0]
        .log_configuration()
        .unwrap()
        .options()
        .unwrap();
    assert_eq!(
        options.get("awslogs-stream-prefix").map(String::as_str),
        Some("hands-on")
    );

    // The home page lists it as registered here, while AWS has it.
    let home = client.get("/").await;
    assert_eq!(home.select("#registrations li a"), ["ContainerHandsOn:1"]);
    // An emulator reset forgets it: it is no longer offered.
    reqwest::Client::new()
        .post(format!("{}/moto-api/reset", moto.url))
        .send()
        .await
        .expect("reset");
    client.post("/refresh", &[("back", "/")]).await;
    let home = client.get("/").await;
    assert!(
        home.select("#registrations li a").is_empty(),
        "{:?}",
        home.select("#registrations li")
    );
}

#[tokio::test]
async fn describe_output_is_imported_without_its_read_only_fields() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_003_describe.json"))],
        )
        .await;
    assert_eq!(imported.status, 303, "{}", imported.text);
    let configure = client.get(&imported.location).await;
    let notice = configure.select(".notice").join(" ");
    for field in [
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
    ] {
        assert!(
            notice.contains(field),
            "{field} is listed as dropped: {notice}"
        );
    }
    assert_eq!(
        configure.attr("#family", "value").as_deref(),
        Some("ContainerHandsOn")
    );
    let draft = draft_path(&imported.location);
    let review = client.get(&format!("{draft}/review")).await;
    let shown: Value = serde_json::from_str(&review.select("#request-json")[0]).unwrap();
    assert_eq!(
        shown["tags"],
        serde_json::json!([{"key": "Name", "value": "ContainerHandsOn"}])
    );
    assert!(shown.get("revision").is_none() && shown.get("status").is_none());
}

/// A bare role name in imported JSON becomes its ARN, as the form makes it.
#[tokio::test]
async fn a_bare_role_name_in_imported_json_becomes_its_arn() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    let mut td: Value = serde_json::from_str(&fixture("reference_000.json")).unwrap();
    td["executionRoleArn"] = "ecsTaskExecutionRole".into();
    td["taskRoleArn"] = "role/app-role".into();
    let imported = client
        .post("/task-definitions/import", &[("json", &td.to_string())])
        .await;
    assert_eq!(imported.status, 303, "{}", imported.text);
    let review = client
        .get(&format!("{}/review", draft_path(&imported.location)))
        .await;
    let request: Value = serde_json::from_str(&review.select("#request-json")[0]).unwrap();
    assert_eq!(
        request["executionRoleArn"],
        "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    );
    assert_eq!(
        request["taskRoleArn"],
        "arn:aws:iam::123456789012:role/app-role"
    );
}

/// Each rule, broken in an otherwise valid reference 000: Create is refused
/// with the rule's message and the emulator never hears of it.
#[tokio::test]
async fn each_validation_error_leaves_the_emulator_untouched() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let base: Value = serde_json::from_str(&fixture("reference_000.json")).unwrap();
    type Break = fn(&mut Value);
    let cases: Vec<(&str, Break, &str)> = vec![
        (
            "family",
            |v| v["family"] = "my app".into(),
            "Use 1 to 255 letters",
        ),
        (
            "container name",
            |v| v["containerDefinitions"][1]["name"] = "rails".into(),
            "container names must be unique",
        ),
        (
            "Fargate pair",
            |v| v["memory"] = "4096".into(),
            "Fargate allows .5 GB to 2 GB",
        ),
        (
            "awsvpc",
            |v| v["networkMode"] = "bridge".into(),
            "Fargate needs the awsvpc network mode",
        ),
        (
            "host port",
            |v| v["containerDefinitions"][0]["portMappings"][0]["hostPort"] = 8080.into(),
            "host port must be empty or equal",
        ),
        (
            "port range",
            |v| {
                v["containerDefinitions"][0]["portMappings"][0] =
                    serde_json::json!({"containerPort": 70000})
            },
            "from 1 to 65535",
        ),
        (
            "essential",
            |v| {
                v["containerDefinitions"][0]["essential"] = false.into();
                v["containerDefinitions"][1]["essential"] = false.into();
            },
            "at least one container as essential",
        ),
        (
            "soft over hard",
            |v| {
                v["containerDefinitions"][0]["memory"] = 128.into();
                v["containerDefinitions"][0]["memoryReservation"] = 256.into();
            },
            "soft limit cannot be above the hard limit",
        ),
        (
            "fits the task",
            |v| v["containerDefinitions"][0]["memory"] = 1024.into(),
            "more than the task's 512 MiB",
        ),
        (
            "health interval",
            |v| v["containerDefinitions"][0]["healthCheck"]["interval"] = 4.into(),
            "from 5 to 300",
        ),
        (
            "health retries",
            |v| v["containerDefinitions"][0]["healthCheck"]["retries"] = 11.into(),
            "from 1 to 10",
        ),
        (
            "depends on nothing",
            |v| v["containerDefinitions"][1]["dependsOn"][0]["containerName"] = "railz".into(),
            "no other container named railz",
        ),
        (
            "healthy needs a check",
            |v| {
                v["containerDefinitions"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("healthCheck");
            },
            "HEALTHY needs a health check on rails",
        ),
        (
            "complete on essential",
            |v| v["containerDefinitions"][1]["dependsOn"][0]["condition"] = "COMPLETE".into(),
            "rails is essential",
        ),
        (
            "cycle",
            |v| {
                v["containerDefinitions"][0]["dependsOn"] =
                    serde_json::json!([{"containerName": "nginx", "condition": "START"}])
            },
            "go round in a circle",
        ),
        (
            "stream prefix",
            |v| {
                v["containerDefinitions"][0]["logConfiguration"]["options"]
                    .as_object_mut()
                    .unwrap()
                    .remove("awslogs-stream-prefix");
            },
            "Enter a value",
        ),
        (
            "volumes from",
            |v| {
                v["containerDefinitions"][1]["volumesFrom"][0]["sourceContainer"] =
                    "postgres".into()
            },
            "no other container named postgres",
        ),
        (
            "mount point",
            |v| {
                v["containerDefinitions"][1]["mountPoints"] =
                    serde_json::json!([{"sourceVolume": "assets", "containerPath": "/a"}])
            },
            "no volume named assets",
        ),
    ];
    for (name, break_it, message) in cases {
        let mut td = base.clone();
        break_it(&mut td);
        let imported = client
            .post("/task-definitions/import", &[("json", &td.to_string())])
            .await;
        assert_eq!(imported.status, 303, "{name}: {}", imported.text);
        let draft = draft_path(&imported.location);
        let review = client.get(&format!("{draft}/review")).await;
        assert!(
            review.attr("form.create button", "disabled").is_some(),
            "{name}: Create is disabled"
        );
        let refused = client.post(&format!("{draft}/create"), &[]).await;
        assert_eq!(refused.status, 422, "{name}");
        assert!(
            refused
                .select(".issues li.error")
                .join(" ")
                .contains(message),
            "{name}: {:?}",
            refused.select(".issues li")
        );
    }
    assert_eq!(
        registered_families(&ecs_client(&moto.url)).await,
        Vec::<String>::new()
    );
}

/// No answer from AWS (here: the emulator stopped after the app connected) is
/// shown with its code, what it means and what to do; the draft is kept.
#[tokio::test]
async fn when_aws_does_not_accept_the_request_the_page_says_why_and_the_draft_is_kept() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_003_input.json"))],
        )
        .await;
    let draft = draft_path(&imported.location);
    drop(moto);
    let refused = client.press(&format!("{draft}/create")).await;
    assert_eq!(refused.status, 200);
    assert_eq!(refused.select("h1"), ["AWS did not answer"]);
    assert_eq!(refused.select("#aws-error-code"), ["NoAnswer"]);
    assert!(refused.text.contains("Nothing came back from AWS in time"));
    assert!(!refused.text.contains("DispatchFailure"));
    assert!(refused.text.contains("Your draft is kept as it was."));
    let review = client.get(&format!("{draft}/review")).await;
    assert_eq!(review.status, 200);
    assert!(review.select("#request-json")[0].contains("ContainerHandsOn"));
}

/// Every control a person can fill has a label, in both languages.
#[tokio::test]
async fn every_control_on_every_step_has_a_label() {
    let Running {
        moto: _moto,
        app: _app,
        client,
    } = start().await;
    let mut td: Value = serde_json::from_str(&fixture("reference_000.json")).unwrap();
    td["tags"] = serde_json::json!([{"key": "Name", "value": "backend"}]);
    td["volumes"] = serde_json::json!([{"name": "assets"}]);
    td["containerDefinitions"][1]["mountPoints"] =
        serde_json::json!([{"sourceVolume": "assets", "containerPath": "/assets"}]);
    td["containerDefinitions"][0]["secrets"] =
        serde_json::json!([{"name": "DB_PASSWORD", "valueFrom": "/app/db"}]);
    let imported = client
        .post("/task-definitions/import", &[("json", &td.to_string())])
        .await;
    let draft = draft_path(&imported.location);
    for lang in ["en", "ja"] {
        client.post("/lang", &[("lang", lang), ("back", "/")]).await;
        for path in [
            "/".to_string(),
            "/task-definitions/new".to_string(),
            format!("{draft}/configure"),
            format!("{draft}/containers"),
            format!("{draft}/storage"),
        ] {
            let page = client.get(&path).await;
            let controls =
                scraper::Selector::parse("input:not([type=hidden]), select, textarea").unwrap();
            let mut count = 0;
            for control in page.html.select(&controls) {
                count += 1;
                let id = control
                    .value()
                    .id()
                    .unwrap_or_else(|| panic!("{path}: a control without an id"));
                let label = scraper::Selector::parse(&format!("label[for=\"{id}\"]")).unwrap();
                let text: String = page
                    .html
                    .select(&label)
                    .next()
                    .unwrap_or_else(|| panic!("{lang} {path}: no label for {id}"))
                    .text()
                    .collect();
                assert!(
                    !text.trim().is_empty(),
                    "{lang} {path}: empty label for {id}"
                );
            }
            assert!(path == "/" || count > 0, "{path} has controls");
        }
    }
}

/// Fields without a form control (ulimits, linuxParameters, dockerLabels, EFS
/// volumes, pidMode…) survive every step submitted as a browser submits it.
#[tokio::test]
async fn an_import_loses_nothing_through_every_step() {
    let Running {
        moto,
        app: _app,
        client,
    } = start().await;
    let mut td: Value = serde_json::from_str(&fixture("reference_000.json")).unwrap();
    td["pidMode"] = "task".into();
    td["enableFaultInjection"] = true.into();
    td["tags"] = serde_json::json!([{"key": "Name", "value": "backend"}]);
    td["ephemeralStorage"] = serde_json::json!({"sizeInGiB": 30});
    td["volumes"] = serde_json::json!([{"name": "shared", "efsVolumeConfiguration": {
        "fileSystemId": "fs-12345678", "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": "fsap-1", "iam": "ENABLED"}}}]);
    let rails = &mut td["containerDefinitions"][0];
    rails["ulimits"] =
        serde_json::json!([{"name": "nofile", "softLimit": 65536, "hardLimit": 65536}]);
    rails["linuxParameters"] =
        serde_json::json!({"initProcessEnabled": true, "capabilities": {"drop": ["NET_RAW"]}});
    rails["dockerLabels"] = serde_json::json!({"team": "web"});
    rails["stopTimeout"] = 60.into();
    rails["secrets"] = serde_json::json!([{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf"}]);
    rails["mountPoints"] = serde_json::json!([{"sourceVolume": "shared", "containerPath": "/shared", "readOnly": true}]);
    rails["logConfiguration"]["options"]["mode"] = "non-blocking".into();

    let imported = client
        .post("/task-definitions/import", &[("json", &td.to_string())])
        .await;
    let draft = draft_path(&imported.location);
    for step in ["configure", "containers", "storage"] {
        let page = client.get(&format!("{draft}/{step}")).await;
        assert_eq!(page.status, 200, "{step}: {}", page.text);
        let mut fields = page.form_fields("#step-form");
        fields.push(("action".into(), "next".into()));
        // The client adds its own CSRF token.
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .filter(|(k, _)| k != "csrf_token")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let sent = client.post(&format!("{draft}/{step}"), &fields).await;
        assert_eq!(sent.status, 303, "{step}: {:?}", sent.select(".msg"));
    }
    let review = client.get(&format!("{draft}/review")).await;
    let shown: Value = serde_json::from_str(&review.select("#request-json")[0]).unwrap();
    assert_eq!(shown, td);
    let result = client.create(&format!("{draft}/create")).await;
    assert_eq!(result.status, 303, "{}", result.text);
    let described = ecs_client(&moto.url)
        .describe_task_definition()
        .task_definition("zenn-clone-task-definition-backend")
        .send()
        .await
        .unwrap();
    let registered = described.task_definition().unwrap();
    assert_eq!(registered.pid_mode().map(|m| m.as_str()), Some("task"));
    assert_eq!(
        registered.container_definitions()[0].ulimits()[0].hard_limit(),
        65536
    );
}
