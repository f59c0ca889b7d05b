//! What a review's resources will cost, line by line: Fargate's vCPU,
//! memory and extra storage per task, public IPv4 addresses, a new load
//! balancer's hour and one LCU, a NAT gateway the tasks go out through,
//! and CloudWatch Logs at a stated volume. An estimate from a price table
//! (`prices`), never a bill: data transfer, further LCUs and taxes are
//! left out, and the page says so.

pub mod prices;
pub mod workload;

use prices::{HOURS_PER_MONTH, RegionPrices};

/// Ephemeral storage every Fargate task has without charge.
pub const FREE_EPHEMERAL_GB: u32 = 20;
/// The log volume the estimate states, per task and month.
pub const LOG_GB_PER_TASK_MONTH: f64 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arch {
    #[default]
    X86,
    Arm,
}

/// What runs, as the estimate prices it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Workload {
    /// Per task.
    pub vcpu: f64,
    pub memory_gb: f64,
    pub arch: Arch,
    pub ephemeral_gb: u32,
    /// Tasks in all, and of them on Fargate Spot.
    pub tasks: u32,
    pub spot_tasks: u32,
    /// Each task has a public IPv4 address.
    pub public_ip: bool,
    /// Its containers log to CloudWatch Logs.
    pub logs: bool,
    /// A load balancer the review creates, and in how many zones.
    pub new_load_balancer_zones: Option<u32>,
    /// NAT gateways the tasks' subnets route through.
    pub nat_gateways: u32,
}

/// One line of an estimate: what (a catalog key and its words) and its
/// cost an hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: &'static str,
    pub words: Vec<(&'static str, String)>,
    pub hourly: f64,
}

impl Line {
    pub fn monthly(&self) -> f64 {
        self.hourly * HOURS_PER_MONTH
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub region: &'static str,
    pub lines: Vec<Line>,
}

impl Estimate {
    pub fn hourly(&self) -> f64 {
        self.lines.iter().map(|l| l.hourly).sum()
    }

    pub fn monthly(&self) -> f64 {
        self.hourly() * HOURS_PER_MONTH
    }
}

/// `1.25` for counts and sizes, without trailing zeros.
fn number(value: f64) -> String {
    crate::model::chart::decimals(value, 3)
}

/// `$12.34` a month; a small figure keeps its cents' fractions
/// (`$0.0169` an hour).
pub fn usd(value: f64) -> String {
    if value != 0.0 && value.abs() < 1.0 {
        format!("${value:.4}")
    } else {
        format!("${value:.2}")
    }
}

/// The estimate of `work` at `region`'s prices; None when the table has
/// no prices for the region.
pub fn estimate(region: &str, work: &Workload) -> Option<Estimate> {
    let p: &RegionPrices = prices::prices(region)?;
    let mut lines = Vec::new();
    let on_demand = work.tasks.saturating_sub(work.spot_tasks);
    let spot = work.tasks.min(work.spot_tasks);
    let rate = match work.arch {
        Arch::X86 => p.linux_x86,
        Arch::Arm => p.linux_arm,
    };
    let size = [
        ("vcpu", number(work.vcpu)),
        ("memory", number(work.memory_gb)),
    ];
    if on_demand > 0 {
        let mut words = vec![("tasks", on_demand.to_string())];
        words.extend(size.clone());
        lines.push(Line {
            what: match work.arch {
                Arch::X86 => "cost.fargate_x86",
                Arch::Arm => "cost.fargate_arm",
            },
            words,
            hourly: f64::from(on_demand)
                * (work.vcpu * rate.vcpu_hour + work.memory_gb * rate.gb_hour),
        });
    }
    if spot > 0 {
        let mut words = vec![("tasks", spot.to_string())];
        words.extend(size.clone());
        lines.push(Line {
            what: "cost.fargate_spot",
            words,
            hourly: f64::from(spot)
                * (work.vcpu * p.spot.vcpu_hour + work.memory_gb * p.spot.gb_hour),
        });
    }
    let extra = work.ephemeral_gb.saturating_sub(FREE_EPHEMERAL_GB);
    if extra > 0 && work.tasks > 0 {
        lines.push(Line {
            what: "cost.ephemeral",
            words: vec![("tasks", work.tasks.to_string()), ("gb", extra.to_string())],
            hourly: f64::from(work.tasks) * f64::from(extra) * p.ephemeral_gb_hour,
        });
    }
    if work.public_ip && work.tasks > 0 {
        lines.push(Line {
            what: "cost.task_ipv4",
            words: vec![("tasks", work.tasks.to_string())],
            hourly: f64::from(work.tasks) * p.public_ipv4_hour,
        });
    }
    if let Some(zones) = work.new_load_balancer_zones {
        lines.push(Line {
            what: "cost.alb_hour",
            words: Vec::new(),
            hourly: p.alb_hour,
        });
        lines.push(Line {
            what: "cost.alb_lcu",
            words: Vec::new(),
            hourly: p.alb_lcu_hour,
        });
        lines.push(Line {
            what: "cost.alb_ipv4",
            words: vec![("zones", zones.to_string())],
            hourly: f64::from(zones) * p.public_ipv4_hour,
        });
    }
    if work.nat_gateways > 0 {
        lines.push(Line {
            what: "cost.nat",
            words: vec![("count", work.nat_gateways.to_string())],
            hourly: f64::from(work.nat_gateways) * p.nat_gateway_hour,
        });
    }
    if work.logs && work.tasks > 0 {
        let gb = LOG_GB_PER_TASK_MONTH * f64::from(work.tasks);
        lines.push(Line {
            what: "cost.logs",
            words: vec![("gb", number(gb))],
            hourly: gb * p.logs_ingested_gb / HOURS_PER_MONTH,
        });
    }
    Some(Estimate {
        region: p.region,
        lines,
    })
}

/// How many of `tasks` a capacity provider strategy puts on Fargate Spot:
/// each provider's base first, in order, then the rest by weight (ECS's
/// own rule). `strategy` is `(provider, base, weight)`.
pub fn spot_share(tasks: u32, strategy: &[(String, u32, u32)]) -> u32 {
    if strategy.is_empty() {
        return 0;
    }
    let mut left = tasks;
    let mut spot = 0;
    for (provider, base, _) in strategy {
        let take = left.min(*base);
        left -= take;
        if provider == "FARGATE_SPOT" {
            spot += take;
        }
    }
    let total: u32 = strategy.iter().map(|(_, _, w)| *w).sum();
    if total == 0 || left == 0 {
        return spot;
    }
    let weight_spot: u32 = strategy
        .iter()
        .filter(|(p, _, _)| p == "FARGATE_SPOT")
        .map(|(_, _, w)| *w)
        .sum();
    // Rounded down: the on-demand share is never understated.
    spot + (u64::from(left) * u64::from(weight_spot) / u64::from(total)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_002() -> Workload {
        // 0.25 vCPU, 0.5 GB, two tasks with public IPs behind a new ALB
        // in two zones, logging to CloudWatch.
        Workload {
            vcpu: 0.25,
            memory_gb: 0.5,
            tasks: 2,
            public_ip: true,
            logs: true,
            new_load_balancer_zones: Some(2),
            ..Workload::default()
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tokyo_sums_line_by_line() {
        let e = estimate("ap-northeast-1", &reference_002()).expect("Tokyo");
        let what: Vec<_> = e.lines.iter().map(|l| l.what).collect();
        assert_eq!(
            what,
            [
                "cost.fargate_x86",
                "cost.task_ipv4",
                "cost.alb_hour",
                "cost.alb_lcu",
                "cost.alb_ipv4",
                "cost.logs"
            ]
        );
        // 2 × (0.25 × 0.05056 + 0.5 × 0.00553) = 0.03081
        assert!(close(e.lines[0].hourly, 0.03081));
        assert!(close(e.lines[1].hourly, 0.010));
        assert!(close(e.lines[2].hourly, 0.0243));
        assert!(close(e.lines[3].hourly, 0.008));
        assert!(close(e.lines[4].hourly, 0.010));
        // 2 GB a month at $0.76.
        assert!(close(e.lines[5].monthly(), 1.52));
        let hourly = 0.03081 + 0.010 + 0.0243 + 0.008 + 0.010 + 1.52 / 730.0;
        assert!(close(e.hourly(), hourly));
        assert!(close(e.monthly(), hourly * 730.0));
        assert_eq!(usd(e.monthly()), "$62.19");
        assert_eq!(usd(e.lines[0].hourly), "$0.0308");
    }

    #[test]
    fn northern_virginia_sums_line_by_line() {
        let e = estimate("us-east-1", &reference_002()).expect("us-east-1");
        // 2 × (0.25 × 0.04048 + 0.5 × 0.004445) = 0.024685
        assert!(close(e.lines[0].hourly, 0.024685));
        let hourly = 0.024685 + 0.010 + 0.0225 + 0.008 + 0.010 + 2.0 * 0.50 / 730.0;
        assert!(close(e.hourly(), hourly));
        assert_eq!(usd(e.monthly()), "$55.89");
    }

    #[test]
    fn arm_spot_storage_and_nat_each_have_their_line() {
        let work = Workload {
            vcpu: 1.0,
            memory_gb: 2.0,
            arch: Arch::Arm,
            ephemeral_gb: 50,
            tasks: 4,
            spot_tasks: 1,
            nat_gateways: 2,
            ..Workload::default()
        };
        let e = estimate("us-east-1", &work).expect("us-east-1");
        let what: Vec<_> = e.lines.iter().map(|l| l.what).collect();
        assert_eq!(
            what,
            [
                "cost.fargate_arm",
                "cost.fargate_spot",
                "cost.ephemeral",
                "cost.nat"
            ]
        );
        assert!(close(e.lines[0].hourly, 3.0 * (0.03238 + 2.0 * 0.00356)));
        assert!(close(e.lines[1].hourly, 0.01264355 + 2.0 * 0.00138835));
        // 30 GB above the free 20, on each of 4 tasks.
        assert!(close(e.lines[2].hourly, 4.0 * 30.0 * 0.000111));
        assert_eq!(
            e.lines[2].words,
            [("tasks", "4".to_string()), ("gb", "30".to_string())]
        );
        assert!(close(e.lines[3].hourly, 2.0 * 0.045));
    }

    #[test]
    fn no_tasks_costs_only_what_stays() {
        let mut work = reference_002();
        work.tasks = 0;
        let e = estimate("us-east-1", &work).expect("us-east-1");
        let what: Vec<_> = e.lines.iter().map(|l| l.what).collect();
        assert_eq!(what, ["cost.alb_hour", "cost.alb_lcu", "cost.alb_ipv4"]);
    }

    #[test]
    fn a_region_without_prices_is_not_guessed() {
        assert_eq!(estimate("eu-west-1", &reference_002()), None);
    }

    #[test]
    fn spot_takes_its_base_then_its_weight() {
        let s = |p: &str, b, w| (p.to_string(), b, w);
        assert_eq!(spot_share(10, &[]), 0);
        assert_eq!(spot_share(10, &[s("FARGATE_SPOT", 0, 1)]), 10);
        assert_eq!(
            spot_share(10, &[s("FARGATE", 2, 1), s("FARGATE_SPOT", 0, 3)]),
            6
        );
        assert_eq!(
            spot_share(3, &[s("FARGATE_SPOT", 5, 1), s("FARGATE", 0, 1)]),
            3
        );
        assert_eq!(
            spot_share(5, &[s("FARGATE", 0, 1), s("FARGATE_SPOT", 0, 1)]),
            2
        );
    }

    #[test]
    fn money_is_written_with_cents_or_their_fractions() {
        assert_eq!(usd(64.5), "$64.50");
        assert_eq!(usd(0.03081), "$0.0308");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(2.0), "2");
    }
}
