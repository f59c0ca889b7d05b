//! What the benchmarks print: times in milliseconds, calls counted by operation.

use std::collections::BTreeMap;
use std::time::Duration;

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `DescribeImages×3 ListRoles`: each operation once, with how many times.
pub fn counted(calls: &[String]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for call in calls {
        *counts.entry(call.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(op, n)| {
            if *n == 1 {
                op.to_string()
            } else {
                format!("{op}×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
