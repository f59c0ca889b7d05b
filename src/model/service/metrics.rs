//! What the service page's charts ask CloudWatch for: every series of a
//! view in one GetMetricData, at a period that keeps each chart near 300
//! points. Also the running-task count read from the service's events,
//! for clusters without Container Insights.

use crate::model::chart::Unit;

/// Points a chart keeps at most, about.
const MAX_POINTS: i64 = 300;
/// Periods CloudWatch keeps a week of data at (multiples of a minute),
/// the shortest that keeps a window under `MAX_POINTS` is chosen.
const PERIODS: [i32; 7] = [60, 120, 300, 600, 900, 1800, 3600];
/// A service's target groups charted at most (a service has up to five).
pub const MAX_GROUPS: usize = 5;

/// How far back the charts look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    #[default]
    Hour,
    SixHours,
    Day,
    Week,
}

impl Window {
    pub const ALL: [Window; 4] = [Window::Hour, Window::SixHours, Window::Day, Window::Week];

    /// In the page's address: `?window=6h`.
    pub fn key(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::SixHours => "6h",
            Window::Day => "24h",
            Window::Week => "7d",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.key() == key)
    }

    pub fn seconds(self) -> i64 {
        match self {
            Window::Hour => 3600,
            Window::SixHours => 6 * 3600,
            Window::Day => 24 * 3600,
            Window::Week => 7 * 24 * 3600,
        }
    }

    /// Seconds per point: the shortest of CloudWatch's periods that keeps
    /// the window at `MAX_POINTS` or fewer.
    pub fn period(self) -> i32 {
        PERIODS
            .into_iter()
            .find(|p| self.seconds() / i64::from(*p) <= MAX_POINTS)
            .unwrap_or(3600)
    }

    /// The window's whole periods up to `now` (the one under way would
    /// show a sum of part of a period as a fall): `(start, end)` in Unix
    /// seconds, on period boundaries, as CloudWatch aligns its points.
    pub fn range(self, now: i64) -> (i64, i64) {
        let period = i64::from(self.period());
        let end = now / period * period;
        (end - self.seconds(), end)
    }
}

/// A target group the service is registered in, and its load balancer,
/// as CloudWatch names them: the ARNs' last parts
/// (`targetgroup/web/73e2…`, `app/web-alb/50dc…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balanced {
    pub target_group: String,
    pub load_balancer: String,
}

impl Balanced {
    /// From the two ARNs; None when either is not an ELB ARN.
    pub fn from_arns(target_group: &str, load_balancer: &str) -> Option<Self> {
        let tg = target_group.split_once(":targetgroup/")?.1;
        let lb = load_balancer.split_once(":loadbalancer/")?.1;
        Some(Self {
            target_group: format!("targetgroup/{tg}"),
            load_balancer: lb.to_string(),
        })
    }

    /// The group's name (`web` of `targetgroup/web/73e2…`).
    pub fn name(&self) -> &str {
        self.target_group.split('/').nth(1).unwrap_or_default()
    }
}

/// One series in a GetMetricData call.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    /// `^[a-z][a-zA-Z0-9_]*$`, unique in the call.
    pub id: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, String)>,
    /// `Average`, `Maximum`, `Sum`, `p95`.
    pub stat: &'static str,
}

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Cpu,
    Memory,
    Tasks,
    Requests,
    Errors,
    ResponseTime,
}

impl ChartKind {
    /// Catalog key of its title.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Cpu => "chart.cpu",
            ChartKind::Memory => "chart.memory",
            ChartKind::Tasks => "chart.tasks",
            ChartKind::Requests => "chart.requests",
            ChartKind::Errors => "chart.errors",
            ChartKind::ResponseTime => "chart.response_time",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            ChartKind::Cpu | ChartKind::Memory => Unit::Percent,
            ChartKind::ResponseTime => Unit::Milliseconds,
            _ => Unit::Count,
        }
    }

    /// In HTML ids: `chart-cpu`.
    pub fn key(self) -> &'static str {
        match self {
            ChartKind::Cpu => "cpu",
            ChartKind::Memory => "memory",
            ChartKind::Tasks => "tasks",
            ChartKind::Requests => "requests",
            ChartKind::Errors => "errors",
            ChartKind::ResponseTime => "response-time",
        }
    }
}

/// A series of a chart: its query, and how its line is named (catalog key
/// of the statistic, and the target group when there are several).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    pub query: MetricQuery,
    pub stat_label: &'static str,
    pub group: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub kind: ChartKind,
    pub series: Vec<SeriesSpec>,
}

/// The id of the Container Insights task count: when it has no points,
/// the page counts tasks from the service's events instead.
pub const INSIGHTS_TASKS: &str = "tasks";

/// The charts of a service and every query they need (one call).
pub fn charts(cluster: &str, service: &str, groups: &[Balanced]) -> Vec<ChartSpec> {
    let ecs = |id: &str, namespace, metric, stat, stat_label| SeriesSpec {
        query: MetricQuery {
            id: id.to_string(),
            namespace,
            metric,
            dimensions: vec![
                ("ClusterName", cluster.to_string()),
                ("ServiceName", service.to_string()),
            ],
            stat,
        },
        stat_label,
        group: String::new(),
    };
    let mut charts = vec![
        ChartSpec {
            kind: ChartKind::Cpu,
            series: vec![
                ecs(
                    "cpu_avg",
                    "AWS/ECS",
                    "CPUUtilization",
                    "Average",
                    "chart.average",
                ),
                ecs(
                    "cpu_max",
                    "AWS/ECS",
                    "CPUUtilization",
                    "Maximum",
                    "chart.maximum",
                ),
            ],
        },
        ChartSpec {
            kind: ChartKind::Memory,
            series: vec![
                ecs(
                    "mem_avg",
                    "AWS/ECS",
                    "MemoryUtilization",
                    "Average",
                    "chart.average",
                ),
                ecs(
                    "mem_max",
                    "AWS/ECS",
                    "MemoryUtilization",
                    "Maximum",
                    "chart.maximum",
                ),
            ],
        },
        ChartSpec {
            kind: ChartKind::Tasks,
            series: vec![ecs(
                INSIGHTS_TASKS,
                "ECS/ContainerInsights",
                "RunningTaskCount",
                "Average",
                "chart.running",
            )],
        },
    ];
    let groups = &groups[..groups.len().min(MAX_GROUPS)];
    let named = groups.len() > 1;
    let alb = |i: usize, g: &Balanced, prefix: &str, metric, stat, stat_label| SeriesSpec {
        query: MetricQuery {
            id: format!("{prefix}_{i}"),
            namespace: "AWS/ApplicationELB",
            metric,
            dimensions: vec![
                ("TargetGroup", g.target_group.clone()),
                ("LoadBalancer", g.load_balancer.clone()),
            ],
            stat,
        },
        stat_label,
        group: if named {
            g.name().to_string()
        } else {
            String::new()
        },
    };
    if !groups.is_empty() {
        let each = |prefix: &'static str, metric, stat, label| {
            groups
                .iter()
                .enumerate()
                .map(move |(i, g)| alb(i, g, prefix, metric, stat, label))
        };
        charts.push(ChartSpec {
            kind: ChartKind::Requests,
            series: each("req", "RequestCount", "Sum", "chart.sum").collect(),
        });
        charts.push(ChartSpec {
            kind: ChartKind::Errors,
            series: each("err", "HTTPCode_Target_5XX_Count", "Sum", "chart.sum").collect(),
        });
        charts.push(ChartSpec {
            kind: ChartKind::ResponseTime,
            series: each("p50", "TargetResponseTime", "p50", "chart.p50")
                .chain(each("p95", "TargetResponseTime", "p95", "chart.p95"))
                .collect(),
        });
    }
    charts
}

/// Every query of `charts`, in order.
pub fn queries(charts: &[ChartSpec]) -> Vec<MetricQuery> {
    charts
        .iter()
        .flat_map(|c| c.series.iter().map(|s| s.query.clone()))
        .collect()
}

/// How a service event changes the running count: `(service web) has
/// started 2 tasks: …` adds, `has stopped 1 running tasks: …` takes away.
fn task_change(message: &str) -> Option<i64> {
    let count_after = |marker: &str| {
        let rest = message.split_once(marker)?.1;
        rest.split_whitespace().next()?.parse::<i64>().ok()
    };
    if message.contains(" tasks") || message.contains(" task") {
        if let Some(n) = count_after(" has started ") {
            return Some(n);
        }
        if let Some(n) = count_after(" has stopped ") {
            return Some(-n);
        }
    }
    None
}

/// The running-task count over `[start, end]` from the service's events
/// (`(time, message)`, newest first) and its count now: a stepped line,
/// oldest first. Before the oldest event ECS kept, the count is taken to
/// be what that event started from.
pub fn tasks_from_events(
    events: &[(f64, String)],
    running_now: i64,
    start: f64,
    end: f64,
) -> Vec<(f64, f64)> {
    let mut count = running_now;
    // Newest first: (time, count after the change, count before).
    let mut steps = Vec::new();
    for (at, message) in events {
        if let Some(change) = task_change(message) {
            let before = (count - change).max(0);
            steps.push((*at, count, before));
            count = before;
        }
    }
    let mut points = vec![(start, count as f64)];
    for (at, after, before) in steps.into_iter().rev() {
        if at > start && at < end {
            points.push((at, before as f64));
            points.push((at, after as f64));
        } else if at <= start {
            points[0].1 = after as f64;
        }
    }
    points.push((end, running_now as f64));
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_window_keeps_about_three_hundred_points() {
        for window in Window::ALL {
            let points = window.seconds() / i64::from(window.period());
            assert!(points <= MAX_POINTS, "{window:?}: {points}");
            assert!(points >= 60, "{window:?}: {points}");
            assert_eq!(window.period() % 60, 0);
        }
        assert_eq!(Window::Hour.period(), 60);
        assert_eq!(Window::SixHours.period(), 120);
        assert_eq!(Window::Day.period(), 300);
        assert_eq!(Window::Week.period(), 3600);
        assert_eq!(Window::parse("24h"), Some(Window::Day));
        assert_eq!(Window::parse("2h"), None);
    }

    #[test]
    fn a_window_ends_with_the_last_whole_period() {
        let (start, end) = Window::Day.range(1_000_123);
        assert_eq!(end % 300, 0);
        assert!(end <= 1_000_123 && 1_000_123 - end < 300);
        assert_eq!(end - start, 86_400);
    }

    #[test]
    fn cloudwatch_names_a_group_and_its_balancer_by_their_arns_last_parts() {
        let b = Balanced::from_arns(
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/web/73e2d6bc24d8a067",
            "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188",
        )
        .expect("ELB ARNs");
        assert_eq!(b.target_group, "targetgroup/web/73e2d6bc24d8a067");
        assert_eq!(b.load_balancer, "app/web-alb/50dc6c495c0c9188");
        assert_eq!(b.name(), "web");
        assert_eq!(Balanced::from_arns("web", "lb"), None);
    }

    #[test]
    fn a_service_without_a_load_balancer_has_three_charts_in_one_call() {
        let charts = charts("demo", "web", &[]);
        let kinds: Vec<_> = charts.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChartKind::Cpu, ChartKind::Memory, ChartKind::Tasks]);
        let queries = queries(&charts);
        assert_eq!(queries.len(), 5);
        let cpu = &queries[0];
        assert_eq!(
            (cpu.namespace, cpu.metric, cpu.stat),
            ("AWS/ECS", "CPUUtilization", "Average")
        );
        assert_eq!(
            cpu.dimensions,
            [
                ("ClusterName", "demo".to_string()),
                ("ServiceName", "web".to_string())
            ]
        );
    }

    #[test]
    fn a_load_balanced_service_adds_requests_errors_and_response_time_per_group() {
        let groups = vec![
            Balanced {
                target_group: "targetgroup/blue/1".into(),
                load_balancer: "app/lb/9".into(),
            },
            Balanced {
                target_group: "targetgroup/green/2".into(),
                load_balancer: "app/lb/9".into(),
            },
        ];
        let charts = charts("demo", "web", &groups);
        assert_eq!(charts.len(), 6);
        let response = &charts[5];
        assert_eq!(response.kind, ChartKind::ResponseTime);
        let stats: Vec<_> = response
            .series
            .iter()
            .map(|s| (s.query.stat, s.group.as_str()))
            .collect();
        assert_eq!(
            stats,
            [
                ("p50", "blue"),
                ("p50", "green"),
                ("p95", "blue"),
                ("p95", "green")
            ]
        );
        let queries = queries(&charts);
        assert_eq!(queries.len(), 5 + 2 * 4);
        let mut ids: Vec<_> = queries.iter().map(|q| q.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), queries.len(), "ids are unique");
        assert!(
            ids.iter()
                .all(|id| id.starts_with(|c: char| c.is_ascii_lowercase()))
        );
        let errors = &charts[4].series[0].query;
        assert_eq!(errors.metric, "HTTPCode_Target_5XX_Count");
        assert_eq!(
            errors.dimensions[0],
            ("TargetGroup", "targetgroup/blue/1".to_string())
        );
        // One group: its lines need no name.
        let one = super::charts("demo", "web", &groups[..1]);
        assert!(one[3].series.iter().all(|s| s.group.is_empty()));
    }

    #[test]
    fn the_task_count_is_read_back_from_the_events() {
        let events = vec![
            (
                900.0,
                "(service web) has reached a steady state.".to_string(),
            ),
            (
                800.0,
                "(service web) has stopped 1 running tasks: (task abc).".to_string(),
            ),
            (
                500.0,
                "(service web) has started 2 tasks: (task d) (task e).".to_string(),
            ),
            (
                50.0,
                "(service web) has started 1 tasks: (task c).".to_string(),
            ),
        ];
        let points = tasks_from_events(&events, 2, 100.0, 1000.0);
        assert_eq!(
            points,
            [
                (100.0, 1.0),
                (500.0, 1.0),
                (500.0, 3.0),
                (800.0, 3.0),
                (800.0, 2.0),
                (1000.0, 2.0)
            ]
        );
        // No events: the count now, flat.
        assert_eq!(
            tasks_from_events(&[], 3, 0.0, 10.0),
            [(0.0, 3.0), (10.0, 3.0)]
        );
    }

    #[test]
    fn a_count_never_goes_below_zero() {
        let events = vec![(
            5.0,
            "(service web) has started 4 tasks: (task a).".to_string(),
        )];
        assert_eq!(
            tasks_from_events(&events, 1, 0.0, 10.0),
            [(0.0, 0.0), (5.0, 0.0), (5.0, 1.0), (10.0, 1.0)]
        );
    }
}
