//! Amazon CloudWatch: the alarms a deployment is watched by, and the
//! service page's charts. CloudWatch speaks CBOR, not JSON, so a request
//! is read from the review's JSON into the SDK's builders (every member
//! the plan writes, no other).

use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::operation::describe_alarms::builders::DescribeAlarmsFluentBuilder;
use aws_sdk_cloudwatch::types;
use serde::Deserialize;
use serde_json::{Value, json};

use super::operations::read;
use super::{Aws, AwsError, Read};
use crate::model::operation::Operation;
use crate::model::service::metrics::MetricQuery;
use crate::model::service::rollback::MAX_ALARMS;

/// What one GetMetricData answered: each query's points, oldest first,
/// and the window it was asked for (Unix seconds).
#[derive(Debug, Clone, Default)]
pub struct MetricData {
    pub start: i64,
    pub end: i64,
    pub series: std::collections::HashMap<String, Vec<(f64, f64)>>,
}

/// Points one call may bring back: every series of a view at about 300
/// points each, with room; CloudWatch would page beyond this, and the
/// page never asks for a second one.
const MAX_DATAPOINTS: i32 = 20_000;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutMetricAlarm {
    alarm_name: String,
    #[serde(default)]
    alarm_description: Option<String>,
    metrics: Vec<Query>,
    evaluation_periods: i32,
    #[serde(default)]
    datapoints_to_alarm: Option<i32>,
    threshold: f64,
    comparison_operator: String,
    #[serde(default)]
    treat_missing_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Query {
    id: String,
    #[serde(default)]
    metric_stat: Option<MetricStat>,
    #[serde(default)]
    expression: Option<String>,
    #[serde(default)]
    label: Option<String>,
    return_data: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MetricStat {
    metric: Metric,
    period: i32,
    stat: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Metric {
    namespace: String,
    metric_name: String,
    dimensions: Vec<Dimension>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Dimension {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteAlarms {
    alarm_names: Vec<String>,
}

/// The metric and composite alarms' names in a DescribeAlarms answer.
fn names_in(output: &DescribeAlarmsOutput) -> Vec<String> {
    let metric = output.metric_alarms().iter().filter_map(|a| a.alarm_name());
    let composite = output
        .composite_alarms()
        .iter()
        .filter_map(|a| a.alarm_name());
    metric.chain(composite).map(str::to_string).collect()
}

/// How many alarm names the service form offers (one DescribeAlarms).
const PICKER_ALARMS: i32 = 100;

impl Aws {
    /// DescribeAlarms of both kinds a deployment can watch (AWS lists only
    /// metric alarms unless asked).
    fn describe_alarms(&self) -> DescribeAlarmsFluentBuilder {
        self.cloudwatch
            .describe_alarms()
            .alarm_types(types::AlarmType::MetricAlarm)
            .alarm_types(types::AlarmType::CompositeAlarm)
    }

    pub(super) async fn put_metric_alarm(&self, input: &Value) -> Result<Value, AwsError> {
        let input: PutMetricAlarm = read(Operation::PutMetricAlarm, input)?;
        let mut queries = Vec::new();
        for query in input.metrics {
            let stat = match query.metric_stat {
                Some(stat) => {
                    let mut metric = types::Metric::builder()
                        .namespace(stat.metric.namespace)
                        .metric_name(stat.metric.metric_name);
                    for d in stat.metric.dimensions {
                        metric = metric.dimensions(
                            types::Dimension::builder()
                                .name(d.name)
                                .value(d.value)
                                .build(),
                        );
                    }
                    Some(
                        types::MetricStat::builder()
                            .metric(metric.build())
                            .period(stat.period)
                            .stat(stat.stat)
                            .build(),
                    )
                }
                None => None,
            };
            queries.push(
                types::MetricDataQuery::builder()
                    .id(query.id)
                    .set_metric_stat(stat)
                    .set_expression(query.expression)
                    .set_label(query.label)
                    .return_data(query.return_data)
                    .build(),
            );
        }
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(input.alarm_name)
            .set_alarm_description(input.alarm_description)
            .set_metrics(Some(queries))
            .evaluation_periods(input.evaluation_periods)
            .set_datapoints_to_alarm(input.datapoints_to_alarm)
            .threshold(input.threshold)
            .comparison_operator(types::ComparisonOperator::from(
                input.comparison_operator.as_str(),
            ))
            .set_treat_missing_data(input.treat_missing_data)
            .send()
            .await?;
        Ok(json!({}))
    }

    pub(super) async fn delete_alarms(&self, input: &Value) -> Result<Value, AwsError> {
        let input: DeleteAlarms = read(Operation::DeleteAlarms, input)?;
        self.cloudwatch
            .delete_alarms()
            .set_alarm_names(Some(input.alarm_names))
            .send()
            .await?;
        Ok(json!({}))
    }

    /// The alarms among `names` that exist: one DescribeAlarms (it takes
    /// at most 100 names).
    pub async fn alarms_named(&self, names: &[String]) -> Result<Vec<String>, AwsError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let output = self
            .describe_alarms()
            .set_alarm_names(Some(names.iter().take(MAX_ALARMS).cloned().collect()))
            .send()
            .await?;
        Ok(names_in(&output))
    }

    /// An alarm PutMetricAlarm made (its answer is empty; so is this).
    pub(super) async fn find_alarm(&self, name: &str) -> Result<Option<Value>, AwsError> {
        let found = self.alarms_named(&[name.to_string()]).await?;
        Ok((!found.is_empty()).then(|| json!({})))
    }

    /// Every series of `queries` over `[start, end)` at `period` seconds:
    /// one GetMetricData, kept like the other account reads under `key`.
    pub async fn metric_data(
        &self,
        key: String,
        queries: &[MetricQuery],
        (start, end): (i64, i64),
        period: i32,
    ) -> Result<Read<MetricData>, AwsError> {
        self.cache
            .read(format!("metric-data:{period}:{key}"), || async {
                let queries = queries.iter().map(|q| {
                    let mut metric = types::Metric::builder()
                        .namespace(q.namespace)
                        .metric_name(q.metric);
                    for (name, value) in &q.dimensions {
                        metric = metric.dimensions(
                            types::Dimension::builder().name(*name).value(value).build(),
                        );
                    }
                    let stat = types::MetricStat::builder()
                        .metric(metric.build())
                        .period(period)
                        .stat(q.stat)
                        .build();
                    types::MetricDataQuery::builder()
                        .id(&q.id)
                        .metric_stat(stat)
                        .return_data(true)
                        .build()
                });
                let output = self
                    .cloudwatch
                    .get_metric_data()
                    .set_metric_data_queries(Some(queries.collect()))
                    .start_time(aws_smithy_types::DateTime::from_secs(start))
                    .end_time(aws_smithy_types::DateTime::from_secs(end))
                    .scan_by(types::ScanBy::TimestampAscending)
                    .max_datapoints(MAX_DATAPOINTS)
                    .send()
                    .await?;
                let series = output
                    .metric_data_results()
                    .iter()
                    .map(|result| {
                        let mut points: Vec<(f64, f64)> = result
                            .timestamps()
                            .iter()
                            .map(|t| t.as_secs_f64())
                            .zip(result.values().iter().copied())
                            .collect();
                        points.sort_by(|a, b| a.0.total_cmp(&b.0));
                        (result.id().unwrap_or_default().to_string(), points)
                    })
                    .collect();
                Ok(MetricData { start, end, series })
            })
            .await
    }

    /// The region's first 100 alarm names, for the service form.
    pub async fn picker_alarms(&self) -> Result<Read<Vec<String>>, AwsError> {
        self.cache
            .read("picker-alarms".into(), || async {
                let output = self
                    .describe_alarms()
                    .max_records(PICKER_ALARMS)
                    .send()
                    .await?;
                Ok(names_in(&output))
            })
            .await
    }
}
