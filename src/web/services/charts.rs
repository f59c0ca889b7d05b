//! The service page's charts: CPU, memory, running tasks and, behind a
//! load balancer, requests, 5xx and response times, over a chosen window.
//! Every series comes from one GetMetricData (kept like the other account
//! reads); each chart is SVG drawn from `model::chart` with its table.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::aws::{Aws, AwsError, MetricData, Read};
use crate::i18n::Tr;
use crate::model::chart::{Chart, ChartData, Line};
use crate::model::service::metrics::{
    self, ChartKind, ChartSpec, INSIGHTS_TASKS, Window, tasks_from_events,
};
use crate::model::service::status::ServiceStatus;
use crate::web::listing::ReadNote;
use crate::web::refusal::said;

pub struct WindowLink {
    pub label: String,
    pub url: String,
    pub current: bool,
}

pub struct LegendEntry {
    pub class: String,
    pub label: String,
    pub current: String,
}

pub struct ChartView {
    /// `cpu`, `memory`…: its element's id is `chart-<key>`.
    pub key: &'static str,
    pub title: String,
    /// What the axis counts in (`%`, `ms`), or empty.
    pub unit: &'static str,
    pub chart: Chart,
    pub legend: Vec<LegendEntry>,
    /// Where a series came from when that needs saying, or empty.
    pub note: String,
    /// Each deployment start: where, and "Deployment started …".
    pub marks: Vec<(f64, String)>,
}

pub struct ChartsView {
    pub windows: Vec<WindowLink>,
    /// "One point every 2 minutes…".
    pub period_note: String,
    pub charts: Vec<ChartView>,
    pub read: ReadNote,
    /// Why CloudWatch could not be read, or empty.
    pub problem: String,
    /// Said plainly when no chart has a point.
    pub no_data: String,
    /// Shown in an empty chart.
    pub empty_chart: String,
}

/// The service's charts' queries and the read of all of them: one call.
pub async fn read(
    aws: &Aws,
    cluster: &str,
    service: &ServiceStatus,
    window: Window,
) -> Result<Read<MetricData>, AwsError> {
    let specs = metrics::charts(cluster, &service.name, &service.balanced);
    let groups: Vec<&str> = service
        .balanced
        .iter()
        .map(|b| b.target_group.as_str())
        .collect();
    let key = format!(
        "{cluster}/{}/{}/{}",
        service.name,
        window.key(),
        groups.join(",")
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    aws.metric_data(
        key,
        &metrics::queries(&specs),
        window.range(now),
        window.period(),
    )
    .await
}

/// `every 2 minutes` in the reader's language.
fn period_words(tr: Tr, period: i32) -> String {
    if period >= 3600 {
        tr.fmt("chart.every_hours", &[("n", (period / 3600).to_string())])
    } else {
        tr.fmt("chart.every_minutes", &[("n", (period / 60).to_string())])
    }
}

impl ChartsView {
    /// The page's charts from what was read; `marks` are deployment starts.
    pub fn new(
        tr: Tr,
        service: &ServiceStatus,
        cluster: &str,
        window: Window,
        read: Result<Read<MetricData>, AwsError>,
        marks: Vec<f64>,
        url: &str,
    ) -> Self {
        let windows = Window::ALL
            .into_iter()
            .map(|w| WindowLink {
                label: tr.t(&format!("chart.window_{}", w.key())).to_string(),
                url: format!("{url}?window={}", w.key()),
                current: w == window,
            })
            .collect();
        let mut view = ChartsView {
            windows,
            period_note: tr.fmt(
                "chart.period",
                &[("every", period_words(tr, window.period()))],
            ),
            charts: Vec::new(),
            read: ReadNote::default(),
            problem: String::new(),
            no_data: String::new(),
            empty_chart: tr.t("chart.empty").to_string(),
        };
        let read = match read {
            Ok(read) => read,
            Err(error) => {
                view.problem = tr.fmt("chart.read_failed", &[("why", said(tr, &error))]);
                return view;
            }
        };
        view.read = ReadNote::said_as(tr, &read, "chart.read_at");
        let data = &read.value;
        let specs = metrics::charts(cluster, &service.name, &service.balanced);
        view.charts = specs
            .iter()
            .map(|spec| chart(tr, spec, data, service, window, &marks))
            .collect();
        if view
            .charts
            .iter()
            .all(|c| c.chart.empty || c.key == "tasks")
        {
            view.no_data = tr.fmt(
                "chart.no_data",
                &[(
                    "window",
                    tr.t(&format!("chart.window_{}", window.key())).to_string(),
                )],
            );
        }
        view
    }
}

fn chart(
    tr: Tr,
    spec: &ChartSpec,
    data: &MetricData,
    service: &ServiceStatus,
    window: Window,
    marks: &[f64],
) -> ChartView {
    let (start, end) = (data.start as f64, data.end as f64);
    let mut note = String::new();
    let lines = spec
        .series
        .iter()
        .map(|series| {
            let mut points = data
                .series
                .get(&series.query.id)
                .cloned()
                .unwrap_or_default();
            let mut stepped = false;
            if series.query.id == INSIGHTS_TASKS {
                if points.is_empty() {
                    points = tasks_from_events(&service.event_log(), service.running, start, end);
                    stepped = true;
                    note = tr.t("chart.tasks_from_events").to_string();
                } else {
                    note = tr.t("chart.tasks_from_insights").to_string();
                }
            }
            let stat = tr.t(series.stat_label);
            Line {
                label: if series.group.is_empty() {
                    stat.to_string()
                } else {
                    format!("{stat} · {}", series.group)
                },
                points,
                stepped,
            }
        })
        .collect();
    let chart = ChartData {
        unit: spec.kind.unit(),
        lines,
        start,
        end,
        period: f64::from(window.period()),
        marks: marks.to_vec(),
    }
    .draw();
    ChartView {
        key: spec.kind.key(),
        title: tr.t(spec.kind.title()).to_string(),
        unit: chart.unit,
        legend: chart
            .lines
            .iter()
            .map(|l| LegendEntry {
                class: l.class.clone(),
                label: l.label.clone(),
                current: if l.current.is_empty() {
                    tr.t("chart.no_value").to_string()
                } else {
                    l.current.clone()
                },
            })
            .collect(),
        marks: chart
            .marks
            .iter()
            .map(|m| {
                let when = [("when", m.when.clone())];
                (m.at, tr.fmt("chart.deployment_started", &when))
            })
            .collect(),
        chart,
        note: if spec.kind == ChartKind::Tasks {
            note
        } else {
            String::new()
        },
    }
}

/// When the service's deployments started: those it has now and those
/// ECS's history lists, each once.
pub fn deployment_starts(service: &ServiceStatus, history: &[f64]) -> Vec<f64> {
    let mut starts: Vec<f64> = service
        .deployments
        .iter()
        .map(|d| d.started)
        .chain(history.iter().copied())
        .filter(|t| *t > 0.0)
        .collect();
    starts.sort_by(f64::total_cmp);
    // The same start, read from both, is a second apart at most.
    starts.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    starts
}
