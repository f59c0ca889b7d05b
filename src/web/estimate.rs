//! The cost estimate every review that creates or scales something shows:
//! its lines, the totals a month and an hour, the price table's region and
//! date, and — as plainly — that it is an estimate, not a bill.

use crate::i18n::Tr;
use crate::model::cost::prices::{self, AS_OF, HOURS_PER_MONTH};
use crate::model::cost::{Estimate, Workload, estimate, usd};

pub struct LineView {
    pub what: String,
    pub hourly: String,
    pub monthly: String,
}

pub struct EstimateView {
    /// "About $62.19 a month ($0.0852 an hour)", or empty when there is
    /// no estimate (`missing` says why).
    pub total: String,
    pub lines: Vec<LineView>,
    pub hourly: String,
    pub monthly: String,
    /// Other task counts of the same review: auto scaling's maximum, the
    /// count before an update.
    pub also: Vec<String>,
    /// The price table: region, date, hours in a month.
    pub source: String,
    /// Why there is no estimate: a region without prices, a task
    /// definition that could not be read.
    pub missing: String,
    /// What the figures are of, when not the whole review ("per task").
    pub scope: String,
}

impl EstimateView {
    /// The estimate of `work` in `region`, with `also`: (catalog key taking
    /// `{tasks}` and `{monthly}`, the same workload at another count).
    pub fn new(
        tr: Tr,
        region: &str,
        work: Option<&Workload>,
        also: &[(&'static str, Workload)],
    ) -> Self {
        let mut view = EstimateView {
            total: String::new(),
            lines: Vec::new(),
            hourly: String::new(),
            monthly: String::new(),
            also: Vec::new(),
            source: String::new(),
            missing: String::new(),
            scope: String::new(),
        };
        let Some(work) = work else {
            view.missing = tr.t("cost.unavailable").to_string();
            return view;
        };
        if region.is_empty() {
            view.missing = tr.t("cost.no_region").to_string();
            return view;
        }
        let Some(main) = estimate(region, work) else {
            let regions: Vec<&str> = prices::TABLE.iter().map(|p| p.region).collect();
            view.missing = tr.fmt(
                "cost.unpriced",
                &[
                    ("region", region.to_string()),
                    ("regions", regions.join(", ")),
                ],
            );
            return view;
        };
        view.lines = main
            .lines
            .iter()
            .map(|line| LineView {
                what: tr.fmt(line.what, &line.words),
                hourly: usd(line.hourly),
                monthly: usd(line.monthly()),
            })
            .collect();
        view.hourly = usd(main.hourly());
        view.monthly = usd(main.monthly());
        view.total = tr.fmt(
            "cost.total",
            &[
                ("monthly", view.monthly.clone()),
                ("hourly", view.hourly.clone()),
            ],
        );
        view.also = also
            .iter()
            .filter_map(|(key, other)| {
                let priced: Estimate = estimate(region, other)?;
                Some(tr.fmt(
                    key,
                    &[
                        ("tasks", other.tasks.to_string()),
                        ("monthly", usd(priced.monthly())),
                    ],
                ))
            })
            .collect();
        view.source = tr.fmt(
            "cost.source",
            &[
                ("region", main.region.to_string()),
                ("date", AS_OF.to_string()),
                ("hours", HOURS_PER_MONTH.to_string()),
            ],
        );
        view
    }
}
