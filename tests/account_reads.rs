//! Issue 12: pages whose AWS calls do not grow with the account. The
//! checklist, the list pages and the task definition wizard make at most
//! ten calls on a cold view and none on a warm one; what the app changes is
//! read again at once; Refresh reads again; views at the same time share
//! one read; a throttled read shows what was read before and says so.

use crate::common;

use common::faults::Fault;
use common::services::*;

/// The calls a view of `path` makes, and the page.
async fn calls_of(w: &World, path: &str) -> (Vec<String>, common::Page) {
    let before = w.proxy.calls().len();
    let page = w.client.get(path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    (w.proxy.calls().split_off(before), page)
}

/// Fills in a one-page wizard's name and presses Next, then Create.
async fn create_through_the_app(w: &World, kind: &str, name: (&str, &str)) {
    let posted = w
        .client
        .post(&format!("/{kind}/new"), &[name, ("action", "next")])
        .await;
    assert_eq!(posted.status, 303, "{}", posted.text);
    let created = w
        .client
        .press(&posted.location.replace("/review", "/create"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
}

/// An account with more of everything than a page shows.
/// Issue 20, finding 9: Task definitions read every family's revisions at
/// each view (15 calls), though the README says they are kept a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_definition_families_are_kept_like_every_other_read() {
    let w = world().await;
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    for n in 0..12 {
        let container = aws_sdk_ecs::types::ContainerDefinition::builder()
            .name("app")
            .image("nginx")
            .memory(512)
            .build();
        ecs.register_task_definition()
            .family(format!("family-{n:02}"))
            .container_definitions(container)
            .send()
            .await
            .expect("RegisterTaskDefinition");
    }
    w.client.post("/refresh", &[("back", "/")]).await;
    let (cold, first) = calls_of(&w, "/task-definitions").await;
    assert!(!cold.is_empty(), "{cold:?}");
    assert_eq!(first.select("#families tbody tr").len(), 10);
    assert!(first.select("#read-at")[0].starts_with("Read from AWS"));
    let (warm, again) = calls_of(&w, "/task-definitions").await;
    assert_eq!(warm, Vec::<String>::new(), "a warm view asks nothing");
    assert_eq!(
        again.select("#families tbody tr"),
        first.select("#families tbody tr")
    );
}

async fn fill(w: &World, repositories: usize, clusters: usize, roles: usize, groups: usize) {
    let ecr = aws_sdk_ecr::Client::new(&w.config);
    let ecs = aws_sdk_ecs::Client::new(&w.config);
    let iam = aws_sdk_iam::Client::new(&w.config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(&w.config);
    for n in 0..repositories {
        let name = format!("repo-{n:02}");
        ecr.create_repository()
            .repository_name(name)
            .send()
            .await
            .expect("CreateRepository");
    }
    for n in 0..clusters {
        let name = format!("cluster-{n:02}");
        ecs.create_cluster()
            .cluster_name(name)
            .send()
            .await
            .expect("CreateCluster");
    }
    let trust = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for n in 0..roles {
        let name = format!("role-{n:02}");
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await
            .expect("CreateRole");
    }
    for n in 0..groups {
        let name = format!("/ecs/group-{n:02}");
        logs.create_log_group()
            .log_group_name(name)
            .send()
            .await
            .expect("CreateLogGroup");
    }
}

// Multi-threaded: the proxy keeps answering while a test blocks on starting the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_reads_a_bounded_number_of_calls() {
    let w = world().await;
    fill(&w, 30, 22, 0, 0).await;
    w.client.post("/refresh", &[("back", "/")]).await;
    let (calls, home) = calls_of(&w, "/").await;
    assert!(calls.len() <= 10, "{} calls: {calls:?}", calls.len());
    assert_eq!(home.select("#checklist > li").len(), 5);
    let states = home.attr("#checklist > li:nth-child(3)", "data-state");
    assert_eq!(states.as_deref(), Some("started"), "no image pushed yet");
    assert!(home.select("#read-at")[0].starts_with("Read from AWS"));

    // The newest repository gets its image, a cluster a service, both
    // outside the app: steps not done are read again at each view.
    common::push_image(&w._moto.url, "repo-29", "latest").await;
    aws_sdk_ecs::Client::new(&w.config)
        .create_service()
        .cluster(CLUSTER)
        .service_name("web")
        .task_definition("ecs-fargate-task:1")
        .desired_count(1)
        .send()
        .await
        .expect("a service");
    let (calls, home) = calls_of(&w, "/").await;
    assert!(calls.len() <= 10, "{} calls: {calls:?}", calls.len());
    let state = |n: usize| home.attr(&format!("#checklist > li:nth-child({n})"), "data-state");
    assert_eq!(state(3).as_deref(), Some("done"));
    assert_eq!(state(5).as_deref(), Some("done"));

    // Only the role is still to do: it alone is read again.
    let (calls, _) = calls_of(&w, "/").await;
    assert!(
        calls.iter().all(|c| c == "GetRole" || c == "ListRoles"),
        "{calls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_read_a_page_at_a_time_and_keep_it() {
    let w = world().await;
    fill(&w, 30, 25, 45, 60).await;
    w.client.post("/refresh", &[("back", "/")]).await;
    for (path, rows, per_page) in [
        ("/roles", "#roles tbody tr", 20),
        ("/repositories", "section.repository", 9),
        ("/clusters", "#clusters tbody tr", 20),
        ("/log-groups", "#log-groups tbody tr", 50),
    ] {
        let (cold, first) = calls_of(&w, path).await;
        assert!(
            !cold.is_empty() && cold.len() <= 10,
            "{path}: {} calls: {cold:?}",
            cold.len()
        );
        assert_eq!(first.select(rows).len(), per_page, "{path}");
        assert!(
            first.select("#read-at")[0].starts_with("Read from AWS"),
            "{path}"
        );
        let (warm, again) = calls_of(&w, path).await;
        assert_eq!(
            warm,
            Vec::<String>::new(),
            "{path}: a warm view asks nothing"
        );
        assert_eq!(again.select(rows), first.select(rows));

        let next = first.attr("#next-page", "href").expect("a next page");
        let (calls, second) = calls_of(&w, &next).await;
        assert!(calls.len() <= 10, "{next}: {calls:?}");
        let (one, two) = (first.select(rows), second.select(rows));
        assert!(!two.is_empty(), "{next}");
        assert!(
            two.iter().all(|row| !one.contains(row)),
            "{next}: pages overlap"
        );
        let first_link = second.attr("nav.pager a:first-child", "href");
        assert_eq!(
            first_link.as_deref(),
            Some(path),
            "{next}: a way back to the first page"
        );
    }
    // A token that is not ours shows the first page.
    let odd = w.client.get("/roles?next=x%00y").await;
    assert_eq!(odd.status, 200);
    assert_eq!(odd.select("#roles tbody tr").len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_app_changes_is_read_at_once_and_refresh_reads_again() {
    let w = world().await;
    let (_, before) = calls_of(&w, "/clusters").await;
    assert!(!before.text.contains("made-here"));
    create_through_the_app(&w, "clusters", ("clusterName", "made-here")).await;
    let (calls, after) = calls_of(&w, "/clusters").await;
    assert!(!calls.is_empty(), "a create empties the cache");
    assert!(after.text.contains("made-here"));

    // Made outside the app: kept until someone presses Refresh.
    aws_sdk_ecs::Client::new(&w.config)
        .create_cluster()
        .cluster_name("made-elsewhere")
        .send()
        .await
        .expect("CreateCluster");
    let (calls, kept) = calls_of(&w, "/clusters").await;
    assert!(calls.is_empty());
    assert!(!kept.text.contains("made-elsewhere"));
    let refresh = kept.form_fields("form.read-note");
    let back: Vec<(&str, &str)> = refresh
        .iter()
        .filter(|(name, _)| name == "back")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(back, [("back", "/clusters")]);
    let pressed = w.client.post("/refresh", &back).await;
    assert_eq!(
        (pressed.status, pressed.location.as_str()),
        (303, "/clusters")
    );
    let (calls, refreshed) = calls_of(&w, "/clusters").await;
    assert!(!calls.is_empty());
    assert!(refreshed.text.contains("made-elsewhere"));
    // Refresh goes back only to a page of this site.
    let away = w
        .client
        .post("/refresh", &[("back", "//evil.example/")])
        .await;
    assert_eq!(away.location, "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_at_the_same_time_share_one_read() {
    let w = world().await;
    w.proxy.set_latency(std::time::Duration::from_millis(200));
    let before = w.proxy.count("ListRoles");
    let views = (0..8).map(|_| w.client.get("/roles"));
    for page in futures_util::future::join_all(views).await {
        assert_eq!(page.status, 200);
    }
    assert_eq!(w.proxy.count("ListRoles") - before, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_read_shows_what_was_read_before_and_says_so() {
    // Nothing is kept: every view asks AWS.
    let w = world_with(&["--retry-pause-ms", "20", "--read-cache-seconds", "0"]).await;
    fill(&w, 0, 0, 3, 0).await;
    let (_, fine) = calls_of(&w, "/roles").await;
    assert_eq!(fine.select("#roles tbody tr").len(), 3);
    assert!(fine.select("#read-throttled").is_empty());

    w.proxy.fail("ListRoles", 1000, Fault::throttle());
    let (calls, throttled) = calls_of(&w, "/roles").await;
    assert!(
        calls.iter().filter(|c| *c == "ListRoles").count() >= 2,
        "the SDK backs off and tries again: {calls:?}"
    );
    assert_eq!(
        throttled.select("#roles tbody tr").len(),
        3,
        "what was read before"
    );
    assert!(
        throttled.select("#read-throttled")[0].contains("AWS is limiting requests"),
        "{}",
        throttled.text
    );

    // After a change nothing older stands in: the page says why it is empty.
    w.client.post("/refresh", &[("back", "/roles")]).await;
    let (_, refused) = calls_of(&w, "/roles").await;
    let problem = refused.select("#listing-problem");
    assert!(problem[0].starts_with("Throttling"), "{problem:?}");
    w.proxy.clear();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_containers_step_reads_a_bounded_number_of_calls() {
    let w = world().await;
    fill(&w, 30, 0, 45, 60).await;
    let created = w.client.post("/task-definitions/drafts", &[]).await;
    let draft = created.location.trim_end_matches("/configure").to_string();
    let image = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/repo-07:v1";
    let saved = w
        .client
        .post(
            &format!("{draft}/containers"),
            &[
                ("containerDefinitions.0.name", "app"),
                ("containerDefinitions.0.image", image),
                ("containerDefinitions.0.essential", "on"),
                ("action", "save"),
            ],
        )
        .await;
    assert!(saved.status < 400, "{}", saved.text);
    w.client.post("/refresh", &[("back", "/")]).await;
    let step = format!("{draft}/containers");
    let (cold, page) = calls_of(&w, &step).await;
    assert!(cold.len() <= 10, "{} calls: {cold:?}", cold.len());
    assert!(page.select("#read-at")[0].contains("read from AWS"));
    let warning = |page: &common::Page| {
        page.select(".issues li.warning, .msg.warning")
            .iter()
            .any(|w| w.contains("No image v1 has been pushed to repo-07"))
    };
    assert!(warning(&page), "{}", page.text);
    // The repository's images are read again while the image is missing…
    let (missing, _) = calls_of(&w, &step).await;
    assert_eq!(missing, ["DescribeImages"]);
    // …so a push outside the app ends the warning at once; then nothing is asked.
    common::push_image(&w._moto.url, "repo-07", "v1").await;
    let (_, pushed) = calls_of(&w, &step).await;
    assert!(!warning(&pushed));
    let (warm, _) = calls_of(&w, &step).await;
    assert_eq!(warm, Vec::<String>::new());
    let (review, _) = calls_of(&w, &format!("{draft}/review")).await;
    assert!(
        review
            .iter()
            .all(|c| c != "ListRoles" && c != "DescribeRepositories"),
        "the review reuses the step's reads: {review:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checklist_looks_first_into_the_repository_the_person_made() {
    let w = world().await;
    create_through_the_app(&w, "repositories", ("repositoryName", "mine")).await;
    // Thirty newer repositories, made elsewhere; the person pushes to theirs.
    fill(&w, 30, 0, 0, 0).await;
    common::push_image(&w._moto.url, "mine", "latest").await;
    let (calls, home) = calls_of(&w, "/").await;
    assert!(calls.len() <= 10, "{calls:?}");
    let step = "#checklist > li:nth-child(3)";
    assert_eq!(home.attr(step, "data-state").as_deref(), Some("done"));
    assert_eq!(home.select(&format!("{step} .subject")), ["mine"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_form_reads_load_balancers_only_for_an_existing_one() {
    let w = world().await;
    let elb = |calls: &[String]| {
        calls
            .iter()
            .filter(|c| *c == "DescribeLoadBalancers" || *c == "DescribeTargetGroups")
            .count()
    };
    w.client.post("/refresh", &[("back", "/")]).await;
    let (calls, form) = calls_of(&w, "/services/new").await;
    // Ten, the hosted zones a domain is chosen from, the roles the
    // infrastructure role of a blue/green, linear or canary strategy is
    // chosen from (one ListRoles, kept for the pickers), and the first 100
    // alarms a deployment may roll back on (one DescribeAlarms).
    assert!(calls.len() <= 13, "{calls:?}");
    assert_eq!(
        calls.iter().filter(|c| *c == "DescribeAlarms").count(),
        1,
        "{calls:?}"
    );
    assert!(calls.iter().any(|c| c == "ListHostedZones"), "{calls:?}");
    assert_eq!(
        calls.iter().filter(|c| *c == "ListRoles").count(),
        1,
        "{calls:?}"
    );
    assert_eq!(
        elb(&calls),
        0,
        "a new load balancer needs none of the account's"
    );
    let help = form.select("p.help");
    assert!(
        help.iter().any(|h| h.contains("They are read once")),
        "{help:?}"
    );

    // Choosing an existing target group reads them, once.
    let saved = save_with_an_existing_target_group(&w.client).await;
    let (calls, existing) = calls_of(&w, &saved).await;
    assert_eq!(elb(&calls), 2, "{calls:?}");
    assert!(
        existing
            .select("p.help")
            .iter()
            .all(|h| !h.contains("They are read once"))
    );
    let (again, _) = calls_of(&w, &saved).await;
    assert_eq!(elb(&again), 0, "kept");
}
