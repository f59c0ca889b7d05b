//! With no credentials the app serves everything and sends nothing.

use crate::common;

use common::{Client, app, fixture};

#[tokio::test]
async fn without_credentials_the_wizard_works_in_preview_only() {
    let app = app(None);
    let client = Client::new(&app.url).await;
    let home = client.get("/").await;
    assert!(
        home.select("#identity")[0].contains("Preview only"),
        "{:?}",
        home.select("#identity")
    );

    let imported = client
        .post(
            "/task-definitions/import",
            &[("json", &fixture("reference_000.json"))],
        )
        .await;
    let draft = imported.location.trim_end_matches("/configure").to_string();
    for step in ["configure", "containers", "storage", "review"] {
        assert_eq!(
            client.get(&format!("{draft}/{step}")).await.status,
            200,
            "{step}"
        );
    }
    let review = client.get(&format!("{draft}/review")).await;
    assert!(review.select("#terraform")[0].contains("resource \"aws_ecs_task_definition\""));
    assert!(review.attr("form.create button", "disabled").is_some());
    assert!(review.select("#create-blocked")[0].contains("no AWS credentials were found"));
    let refused = client.post(&format!("{draft}/create"), &[]).await;
    assert_eq!(refused.status, 409);
}

#[tokio::test]
async fn without_credentials_every_new_wizard_previews_and_sends_nothing() {
    let app = app(None);
    let client = Client::new(&app.url).await;
    let home = client.get("/").await;
    // The banner says why once; each step says it cannot be checked.
    assert!(home.select("#checklist-problem").is_empty());
    assert!(
        home.select("#checklist .state")
            .iter()
            .all(|s| s == "Can't check without credentials")
    );
    assert!(home.select("#checklist a.button.primary").is_empty());
    assert_eq!(home.select("#checklist > li").len(), 5);
    for (kind, fields) in [
        (
            "roles",
            vec![("kind", "execution"), ("roleName", "ecsTaskExecutionRole")],
        ),
        ("clusters", vec![("clusterName", "ecs-handson-cluster")]),
        ("repositories", vec![("repositoryName", "rails-app")]),
        ("log-groups", vec![("logGroupName", "/ecs/example")]),
    ] {
        let mut form = fields.clone();
        form.push(("action", "next"));
        let posted = client.post(&format!("/{kind}/new"), &form).await;
        assert_eq!(posted.status, 303, "{kind}: {}", posted.text);
        let review = client.get(&posted.location).await;
        assert!(!review.select("#terraform")[0].is_empty(), "{kind}");
        assert!(
            review.attr("form.create button", "disabled").is_some(),
            "{kind}"
        );
        let refused = client
            .post(&posted.location.replace("/review", "/create"), &[])
            .await;
        assert_eq!(refused.status, 409, "{kind}");
    }
    for path in ["/roles", "/clusters", "/repositories", "/log-groups"] {
        let page = client.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.select("#listing-problem")[0].contains("Nothing can be listed"),
            "{path}"
        );
    }
    let push = client
        .get("/repositories/push-commands?name=rails-app")
        .await;
    assert_eq!(
        push.select("#push-push"),
        ["docker push ${AWS_ACCOUNT_ID}.dkr.ecr.ap-northeast-1.amazonaws.com/rails-app:latest"],
        "reference 002's placeholder stands in for the unknown account"
    );
}
