//! With no credentials the app serves everything and sends nothing.

mod common;

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
