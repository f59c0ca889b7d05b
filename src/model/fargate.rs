//! The CPU and memory pairs Fargate accepts, in the API's units (CPU units,
//! MiB). Anything else is refused by AWS at register time, and by moto never.

/// Valid task memory (MiB) for a task CPU value (units); empty for an invalid CPU.
/// The size of `options` nearest to `wanted` (the smaller of two as near),
/// or the first when nothing is wanted: what the memory list selects
/// after the CPU changes.
pub fn closest(options: &[u32], wanted: Option<u32>) -> Option<u32> {
    match wanted {
        Some(wanted) => options
            .iter()
            .copied()
            .min_by_key(|size| (size.abs_diff(wanted), *size)),
        None => options.first().copied(),
    }
}

pub fn memory_options(cpu: u32) -> Vec<u32> {
    let (from_gb, to_gb, step_gb): (u32, u32, u32) = match cpu {
        256 => return vec![512, 1024, 2048],
        512 => (1, 4, 1),
        1024 => (2, 8, 1),
        2048 => (4, 16, 1),
        4096 => (8, 30, 1),
        8192 => (16, 60, 4),
        16384 => (32, 120, 8),
        _ => return Vec::new(),
    };
    (from_gb..=to_gb)
        .step_by(step_gb as usize)
        .map(|gb| gb * 1024)
        .collect()
}

pub const CPU_OPTIONS: [u32; 7] = [256, 512, 1024, 2048, 4096, 8192, 16384];

pub fn is_valid_pair(cpu: u32, memory: u32) -> bool {
    memory_options(cpu).contains(&memory)
}

/// Reads the task-level `cpu` string: "256" or the console's "0.25 vCPU" / "1 vCPU".
pub fn parse_cpu(text: &str) -> Option<u32> {
    parse_units(text, &["vcpu"], 1024)
}

/// Reads the task-level `memory` string: "512" (MiB) or "0.5 GB" / "2GB".
pub fn parse_memory(text: &str) -> Option<u32> {
    parse_units(text, &["gb"], 1024)
}

fn parse_units(text: &str, suffixes: &[&str], per_unit: u32) -> Option<u32> {
    let lower = text.trim().to_ascii_lowercase();
    for suffix in suffixes {
        if let Some(number) = lower.strip_suffix(suffix) {
            let value: f64 = number.trim().parse().ok()?;
            let scaled = value * f64::from(per_unit);
            return (scaled.fract() == 0.0 && scaled > 0.0 && scaled <= f64::from(u32::MAX))
                .then_some(scaled as u32);
        }
    }
    lower.parse().ok()
}

/// How the console writes a CPU value: ".25 vCPU", "1 vCPU".
pub fn cpu_label(cpu: u32) -> String {
    format!("{} vCPU", trim_fraction(f64::from(cpu) / 1024.0))
}

/// How the console writes a memory value: ".5 GB", "2 GB".
pub fn memory_label(memory: u32) -> String {
    format!("{} GB", trim_fraction(f64::from(memory) / 1024.0))
}

fn trim_fraction(value: f64) -> String {
    let text = format!("{value}");
    text.strip_prefix("0.")
        .map_or(text.clone(), |rest| format!(".{rest}"))
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_closest_allowed_memory_is_chosen_after_a_cpu_change() {
        // 3072 under .25 vCPU: 2048 is the nearest it allows.
        let quarter = memory_options(256);
        assert_eq!(closest(&quarter, Some(3072)), Some(2048));
        assert_eq!(closest(&quarter, Some(700)), Some(512));
        assert_eq!(closest(&memory_options(1024), Some(512)), Some(2048));
        assert_eq!(closest(&quarter, None), Some(512));
        assert_eq!(closest(&[], Some(512)), None);
    }
    use super::*;

    #[test]
    fn the_table_matches_the_fargate_documentation() {
        assert_eq!(memory_options(256), vec![512, 1024, 2048]);
        assert_eq!(memory_options(512), vec![1024, 2048, 3072, 4096]);
        assert_eq!(memory_options(1024).first(), Some(&2048));
        assert_eq!(memory_options(1024).last(), Some(&8192));
        assert_eq!(memory_options(2048).len(), 13);
        assert_eq!(memory_options(4096).last(), Some(&30720));
        assert_eq!(
            memory_options(8192),
            vec![
                16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440
            ]
        );
        assert_eq!(memory_options(16384).first(), Some(&32768));
        assert_eq!(memory_options(16384).last(), Some(&122880));
        assert!(memory_options(300).is_empty());
    }

    #[test]
    fn pairs_outside_the_table_are_invalid() {
        assert!(is_valid_pair(256, 512));
        assert!(!is_valid_pair(256, 4096));
        assert!(!is_valid_pair(1024, 1024));
        assert!(!is_valid_pair(8192, 18432));
    }

    #[test]
    fn console_units_are_read() {
        assert_eq!(parse_cpu("256"), Some(256));
        assert_eq!(parse_cpu(".25 vCPU"), Some(256));
        assert_eq!(parse_cpu("1 vCPU"), Some(1024));
        assert_eq!(parse_memory("0.5 GB"), Some(512));
        assert_eq!(parse_memory("2GB"), Some(2048));
        assert_eq!(parse_memory("lots"), None);
        assert_eq!(parse_cpu("0.1 vCPU"), None);
    }

    #[test]
    fn labels_read_like_the_console() {
        assert_eq!(cpu_label(256), ".25 vCPU");
        assert_eq!(cpu_label(1024), "1 vCPU");
        assert_eq!(memory_label(512), ".5 GB");
        assert_eq!(memory_label(30720), "30 GB");
    }
}
