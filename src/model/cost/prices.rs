//! What AWS charges, per region, for what a review creates: a table in
//! the binary, with where each figure was read and when. A region not in
//! it gets no guess (the review says it has no prices for it).
//!
//! Sources (USD, on-demand, as AWS publishes them):
//! - Fargate (Linux/x86, Linux/ARM, Fargate Spot, ephemeral storage above
//!   20 GB): <https://aws.amazon.com/fargate/pricing/>
//! - Application Load Balancer (hour, LCU-hour):
//!   <https://aws.amazon.com/elasticloadbalancing/pricing/>
//! - NAT gateway hour: <https://aws.amazon.com/vpc/pricing/>
//! - Public IPv4 address hour: <https://aws.amazon.com/vpc/pricing/>
//!   (every region, since 2024-02-01)
//! - CloudWatch Logs ingestion (standard class):
//!   <https://aws.amazon.com/cloudwatch/pricing/>
//!
//! Fargate Spot's price moves with spare capacity; its figure here is the
//! one published when the table was written.
//!
//! How the figures were gathered: the machine that wrote this table had
//! no network but package registries, so AWS's pages could not be read on
//! the day. The figures are AWS's published ones as known, checked where a
//! second, public copy of them could be found: Fargate Linux/x86 and Spot
//! for all four regions (a copy of AWS's price list in a public Fargate
//! calculator), us-east-1's ARM and ephemeral storage, and Tokyo's load
//! balancer hour and LCU. Not checked against a second source: Tokyo's
//! ARM rate (AWS's published 20 % below x86, which the US figures show),
//! Tokyo's ephemeral storage, the NAT gateway and CloudWatch Logs rates.
//! Before relying on the table, compare it with the pages above; the
//! tests below hold it to the same figures written out a second time.

/// When the table was last checked against AWS's pages.
pub const AS_OF: &str = "2026-12-06";

/// Hours in AWS's month.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// A rate per vCPU-hour and per GB-hour of memory.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compute {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionPrices {
    pub region: &'static str,
    pub linux_x86: Compute,
    pub linux_arm: Compute,
    /// Fargate Spot (Linux/x86 only).
    pub spot: Compute,
    /// Per GB-hour of ephemeral storage above the 20 GB every task has.
    pub ephemeral_gb_hour: f64,
    pub alb_hour: f64,
    pub alb_lcu_hour: f64,
    pub nat_gateway_hour: f64,
    pub public_ipv4_hour: f64,
    /// Per GB ingested.
    pub logs_ingested_gb: f64,
}

/// Northern Virginia, Ohio and Oregon share their on-demand prices.
const US: RegionPrices = RegionPrices {
    region: "us-east-1",
    linux_x86: Compute {
        vcpu_hour: 0.04048,
        gb_hour: 0.004445,
    },
    linux_arm: Compute {
        vcpu_hour: 0.03238,
        gb_hour: 0.00356,
    },
    spot: Compute {
        vcpu_hour: 0.01264355,
        gb_hour: 0.00138835,
    },
    ephemeral_gb_hour: 0.000111,
    alb_hour: 0.0225,
    alb_lcu_hour: 0.008,
    nat_gateway_hour: 0.045,
    public_ipv4_hour: 0.005,
    logs_ingested_gb: 0.50,
};

pub const TABLE: [RegionPrices; 4] = [
    US,
    RegionPrices {
        region: "us-east-2",
        spot: Compute {
            vcpu_hour: 0.01276353,
            gb_hour: 0.00140153,
        },
        ..US
    },
    RegionPrices {
        region: "us-west-2",
        spot: Compute {
            vcpu_hour: 0.01269464,
            gb_hour: 0.00139396,
        },
        ..US
    },
    RegionPrices {
        region: "ap-northeast-1",
        linux_x86: Compute {
            vcpu_hour: 0.05056,
            gb_hour: 0.00553,
        },
        linux_arm: Compute {
            vcpu_hour: 0.04045,
            gb_hour: 0.00442,
        },
        spot: Compute {
            vcpu_hour: 0.01981009,
            gb_hour: 0.00216673,
        },
        ephemeral_gb_hour: 0.000133,
        alb_hour: 0.0243,
        alb_lcu_hour: 0.008,
        nat_gateway_hour: 0.062,
        public_ipv4_hour: 0.005,
        logs_ingested_gb: 0.76,
    },
];

/// The region's prices, when the table has them.
pub fn prices(region: &str) -> Option<&'static RegionPrices> {
    TABLE.iter().find(|p| p.region == region)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's published figures, written out a second time by hand from
    /// the pages above: a slip in the table fails here.
    #[test]
    fn tokyo_is_priced_as_aws_publishes() {
        let p = prices("ap-northeast-1").expect("Tokyo");
        assert_eq!(
            (p.linux_x86.vcpu_hour, p.linux_x86.gb_hour),
            (0.05056, 0.00553)
        );
        assert_eq!(
            (p.linux_arm.vcpu_hour, p.linux_arm.gb_hour),
            (0.04045, 0.00442)
        );
        assert_eq!((p.spot.vcpu_hour, p.spot.gb_hour), (0.01981009, 0.00216673));
        assert_eq!(p.ephemeral_gb_hour, 0.000133);
        assert_eq!((p.alb_hour, p.alb_lcu_hour), (0.0243, 0.008));
        assert_eq!(p.nat_gateway_hour, 0.062);
        assert_eq!(p.public_ipv4_hour, 0.005);
        assert_eq!(p.logs_ingested_gb, 0.76);
    }

    #[test]
    fn northern_virginia_is_priced_as_aws_publishes() {
        let p = prices("us-east-1").expect("N. Virginia");
        assert_eq!(
            (p.linux_x86.vcpu_hour, p.linux_x86.gb_hour),
            (0.04048, 0.004445)
        );
        assert_eq!(
            (p.linux_arm.vcpu_hour, p.linux_arm.gb_hour),
            (0.03238, 0.00356)
        );
        assert_eq!((p.spot.vcpu_hour, p.spot.gb_hour), (0.01264355, 0.00138835));
        assert_eq!(p.ephemeral_gb_hour, 0.000111);
        assert_eq!((p.alb_hour, p.alb_lcu_hour), (0.0225, 0.008));
        assert_eq!(p.nat_gateway_hour, 0.045);
        assert_eq!(p.public_ipv4_hour, 0.005);
        assert_eq!(p.logs_ingested_gb, 0.50);
    }

    #[test]
    fn arm_is_a_fifth_cheaper_than_x86_as_aws_says() {
        for p in TABLE {
            let ratio = p.linux_arm.vcpu_hour / p.linux_x86.vcpu_hour;
            assert!((ratio - 0.8).abs() < 0.001, "{}: {ratio}", p.region);
            let ratio = p.linux_arm.gb_hour / p.linux_x86.gb_hour;
            assert!((ratio - 0.8).abs() < 0.002, "{}: {ratio}", p.region);
            // Spot is at most 70% off.
            assert!(p.spot.vcpu_hour >= p.linux_x86.vcpu_hour * 0.3 - 1e-9);
        }
    }

    #[test]
    fn a_region_without_prices_gets_no_guess() {
        assert!(prices("eu-west-1").is_none());
        assert!(prices("").is_none());
        let mut regions: Vec<_> = TABLE.iter().map(|p| p.region).collect();
        regions.dedup();
        assert_eq!(regions.len(), TABLE.len());
    }
}
