//! Issue 25 item 1 over real HTTP against moto: the service page's charts
//! drawn from data put into CloudWatch (a series with gaps, an empty one,
//! one point), every series in one GetMetricData, read again only when
//! the kept read is too old, and the last chart kept, with its age, while
//! AWS throttles.

use crate::common;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use common::faults::Fault;
use common::services::*;

const SERVICE: &str = "ecs-fargate-service";

fn service_url() -> String {
    format!("/clusters/{CLUSTER}/services/{SERVICE}")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// `value` at `minutes_ago` whole minutes before the current one (inside
/// its minute, where CloudWatch's one-minute point for it falls).
fn datum(metric: &str, dimensions: &[(&str, &str)], minutes_ago: i64, value: f64) -> MetricDatum {
    let minute = now() / 60 * 60 - minutes_ago * 60;
    let mut datum = MetricDatum::builder()
        .metric_name(metric)
        .timestamp(DateTime::from_secs(minute + 5))
        .value(value);
    for (name, value) in dimensions {
        datum = datum.dimensions(Dimension::builder().name(*name).value(*value).build());
    }
    datum.build()
}

async fn put(w: &World, namespace: &str, data: Vec<MetricDatum>) {
    aws_sdk_cloudwatch::Client::new(&w.config)
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("PutMetricData");
}

/// The service's target group and load balancer as CloudWatch names them.
async fn balanced(w: &World) -> (String, String) {
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&w.config);
    let groups = elbv2.describe_target_groups().send().await.expect("TGs");
    let group = &groups.target_groups()[0];
    let suffix = |arn: &str, marker: &str| arn.split_once(marker).expect(marker).1.to_string();
    (
        format!(
            "targetgroup/{}",
            suffix(group.target_group_arn().expect("ARN"), ":targetgroup/")
        ),
        suffix(&group.load_balancer_arns()[0], ":loadbalancer/"),
    )
}

fn polylines(page: &common::Page, chart: &str) -> Vec<String> {
    page.attrs(&format!("#chart-{chart} polyline"), "points")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_are_drawn_from_cloudwatch_in_one_call() {
    let w = world().await;
    reference_002(&w).await;

    let service = [("ClusterName", CLUSTER), ("ServiceName", SERVICE)];
    // CPU: three minutes, a gap of twenty, two minutes: two runs of line.
    // And one three hours back: outside the hour, inside a whole hour of
    // the week's (whose hour under way is not drawn).
    let cpu = [
        (180, 5.0),
        (50, 10.0),
        (49, 20.0),
        (48, 30.0),
        (20, 40.0),
        (19, 87.0),
    ];
    put(
        &w,
        "AWS/ECS",
        cpu.iter()
            .map(|(ago, v)| datum("CPUUtilization", &service, *ago, *v))
            .collect(),
    )
    .await;
    // Requests: one point. Memory: none at all.
    let (group, balancer) = balanced(&w).await;
    let alb = [
        ("TargetGroup", group.as_str()),
        ("LoadBalancer", balancer.as_str()),
    ];
    put(
        &w,
        "AWS/ApplicationELB",
        vec![datum("RequestCount", &alb, 30, 120.0)],
    )
    .await;

    let before = w.proxy.calls().len();
    let page = w.client.get(&service_url()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let calls = w.proxy.calls().split_off(before);
    assert_eq!(
        calls.iter().filter(|c| *c == "GetMetricData").count(),
        1,
        "every series in one call: {calls:?}"
    );

    // Six charts for a service behind a load balancer.
    let ids = page.attrs("figure.chart", "id");
    assert_eq!(
        ids,
        [
            "chart-cpu",
            "chart-memory",
            "chart-tasks",
            "chart-requests",
            "chart-errors",
            "chart-response-time"
        ]
    );
    // The gap breaks the average line in two; the maximum is the same data.
    let cpu_avg = page.attrs("#chart-cpu polyline.line-0", "points");
    assert_eq!(cpu_avg.len(), 2, "{cpu_avg:?}");
    assert_eq!(cpu_avg[0].split(' ').count(), 3);
    assert_eq!(cpu_avg[1].split(' ').count(), 2);
    let legend = page.select("#chart-cpu .legend");
    assert_eq!(legend, ["Average: 87 %", "Maximum: 87 %"]);
    // Its axis is round and above the largest value.
    assert_eq!(
        page.select("#chart-cpu text.tick")
            .first()
            .map(String::as_str),
        Some("0")
    );
    assert!(
        page.select("#chart-cpu text.tick")
            .contains(&"100".to_string())
    );
    // The table alternative lists the five minutes.
    let rows = page.select("#chart-cpu table tbody tr");
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert!(rows[4].contains("87 %"), "{rows:?}");

    // The empty series says so, in the chart and in its legend.
    assert!(polylines(&page, "memory").is_empty());
    assert_eq!(
        page.select("#chart-memory text.empty"),
        ["No data in this period"]
    );
    assert_eq!(
        page.select("#chart-memory .legend b"),
        ["no data", "no data"]
    );
    assert!(page.select("#chart-memory table").is_empty());

    // One point is a dot with its value.
    assert!(polylines(&page, "requests").is_empty());
    assert_eq!(page.attrs("#chart-requests circle", "r").len(), 1);
    assert_eq!(page.select("#chart-requests .legend b"), ["120"]);

    // moto has no Container Insights: the running tasks are counted from
    // the service's events, and the chart says so.
    assert!(
        page.select("#chart-tasks p.help")[0].contains("Counted from the service's events"),
        "{:?}",
        page.select("#chart-tasks p.help")
    );
    assert_eq!(
        page.select("#chart-tasks .legend b"),
        ["2"],
        "MOTO_ECS_SERVICE_RUNNING"
    );
    // The deployment that made the service is marked.
    assert_eq!(page.attrs("#chart-cpu line.mark", "x1").len(), 1);
    // There is data: no "no data" notice.
    assert!(page.select("#charts-no-data").is_empty());

    // Within the kept read's minute, a second view asks nothing.
    let before = w.proxy.calls().len();
    let again = w.client.get(&service_url()).await;
    assert_eq!(again.status, 200);
    assert!(!w.proxy.calls()[before..].contains(&"GetMetricData".to_string()));

    // Another period is another read, with its own period.
    let week = w.client.get(&format!("{}?window=7d", service_url())).await;
    assert_eq!(week.status, 200, "{}", week.text);
    assert_eq!(week.select(".windows a[aria-current]"), ["Last 7 days"]);
    assert!(week.select("#charts p.help")[0].contains("one point every 1 h"));
    // The point three hours back is in a whole hour: drawn.
    assert!(
        !week
            .attrs("#chart-cpu circle, #chart-cpu polyline", "class")
            .is_empty()
    );
    // An unknown period is the default one, not an error.
    let odd = w
        .client
        .get(&format!("{}?window=%3Cscript%3E", service_url()))
        .await;
    assert_eq!(odd.status, 200);
    assert_eq!(odd.select(".windows a[aria-current]"), ["Last hour"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_with_no_data_says_so_and_throttling_keeps_the_last_chart() {
    // Nothing kept between views: every view asks CloudWatch.
    let w = world_with(&["--retry-pause-ms", "20", "--read-cache-seconds", "0"]).await;
    reference_002(&w).await;

    let page = w.client.get(&service_url()).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let said = page.select("#charts-no-data");
    assert_eq!(said.len(), 1, "{}", page.text);
    assert!(said[0].starts_with("CloudWatch has no CPU, memory or load balancer data"));

    let service = [("ClusterName", CLUSTER), ("ServiceName", SERVICE)];
    put(
        &w,
        "AWS/ECS",
        vec![datum("CPUUtilization", &service, 3, 55.0)],
    )
    .await;
    let page = w.client.get(&service_url()).await;
    assert_eq!(page.select("#chart-cpu .legend b")[0], "55 %");
    assert!(page.select("#charts-no-data").is_empty());

    // AWS throttles every try: the last chart stays, said to be older.
    w.proxy.fail("GetMetricData", 20, Fault::throttle());
    let throttled = w.client.get(&service_url()).await;
    assert_eq!(throttled.status, 200, "{}", throttled.text);
    assert_eq!(throttled.select("#chart-cpu .legend b")[0], "55 %");
    let warning = throttled.select("#charts .msg.warning");
    assert_eq!(warning.len(), 1, "{}", throttled.text);
    assert!(warning[0].contains("throttling"), "{warning:?}");
    w.proxy.clear();
}
