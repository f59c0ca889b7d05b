//! A line chart as plain geometry: the service page draws it as SVG (no
//! script) from these numbers, and lists the same points as a table for
//! whoever cannot see the picture. Times are Unix seconds, UTC.

use super::revision::readable_time;

/// The drawing's own units (its `viewBox`); the page scales it to fit.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 220.0;
/// Room for the value labels on the left and the times below.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// Lines drawn at most (each a class of the stylesheet's palette).
pub const MAX_LINES: usize = 6;

/// What a value is counted in, and how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Count,
    /// Stored in seconds (as CloudWatch gives response times), shown in ms.
    Milliseconds,
}

impl Unit {
    /// `42.5 %`, `3`, `120 ms`.
    pub fn show(self, value: f64) -> String {
        match self {
            Unit::Percent => format!("{} %", decimals(value, 1)),
            Unit::Count => decimals(value, 2),
            Unit::Milliseconds => format!("{} ms", decimals(value * 1000.0, 1)),
        }
    }

    /// The number as it sits on the axis (the unit is said once, beside it).
    fn scaled(self, value: f64) -> f64 {
        match self {
            Unit::Milliseconds => value * 1000.0,
            _ => value,
        }
    }

    /// `%`, empty, `ms`: what the axis is counted in.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Count => "",
            Unit::Milliseconds => "ms",
        }
    }
}

/// At most `places` decimals, without trailing zeros: `2`, `2.5`, `0.25`.
pub fn decimals(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// One series: its name and its points, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// A count that changes in steps (tasks started and stopped): joined
    /// as it comes, never broken at a gap.
    pub stepped: bool,
}

/// What a chart is drawn from.
#[derive(Debug, Clone)]
pub struct ChartData {
    pub unit: Unit,
    pub lines: Vec<Line>,
    pub start: f64,
    pub end: f64,
    /// Seconds between points: more than one and a half apart is a gap.
    pub period: f64,
    /// When deployments started.
    pub marks: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where, in the drawing's units.
    pub at: f64,
    /// Where its label's baseline goes (beside a value, under a time).
    pub label_at: f64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrawnLine {
    pub label: String,
    /// `line-0` … : its colour and dash in the stylesheet.
    pub class: String,
    /// One `points` attribute per run of points without a gap.
    pub runs: Vec<String>,
    /// Points with no neighbour to join: drawn as dots.
    pub dots: Vec<(f64, f64)>,
    /// Its newest value, with its unit, or empty.
    pub current: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// `2026-11-29 21:03:06 UTC`.
    pub when: String,
}

/// The chart ready to draw, and its table.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub lines: Vec<DrawnLine>,
    pub marks: Vec<Mark>,
    /// The plotting area: left, top, right, bottom.
    pub area: (f64, f64, f64, f64),
    /// Where the value labels end (left of the axis), and the middle of
    /// the area (where "no data" is said).
    pub labels_x: f64,
    pub middle: (f64, f64),
    pub unit: &'static str,
    /// The table alternative: a time and each line's value (or empty).
    pub rows: Vec<(String, Vec<String>)>,
    /// No line has a point.
    pub empty: bool,
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// The axis's top and its step: four steps of a round number, the
/// largest value under the top. Nothing above zero still gets an axis.
fn y_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let step = nice_step(max / 4.0);
    ((max / step).ceil() * step, step)
}

/// Time labels for a window: `21:00` within a day, `11-29` beyond.
fn time_label(t: f64, span: f64) -> String {
    let full = readable_time(t); // 2026-11-29 21:03:06 UTC
    if span > 86_400.0 {
        full.get(5..10).unwrap_or_default().to_string()
    } else {
        full.get(11..16).unwrap_or_default().to_string()
    }
}

/// Round times for the x axis: about five, on a whole step.
fn x_step(span: f64) -> f64 {
    const STEPS: [f64; 9] = [
        300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14_400.0, 21_600.0, 86_400.0,
    ];
    STEPS
        .into_iter()
        .find(|s| span / s <= 6.0)
        .unwrap_or(86_400.0)
}

impl ChartData {
    pub fn draw(&self) -> Chart {
        let (left, top, right, bottom) = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM);
        let span = (self.end - self.start).max(1.0);
        let x = |t: f64| left + (t - self.start).clamp(0.0, span) / span * (right - left);
        let inside = |t: f64| t >= self.start && t <= self.end;
        let max = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter())
            .filter(|(t, v)| inside(*t) && v.is_finite())
            .map(|(_, v)| self.unit.scaled(*v))
            .fold(0.0, f64::max);
        let (y_top, y_step) = y_axis(max);
        let y = |v: f64| bottom - (self.unit.scaled(v).max(0.0) / y_top) * (bottom - top);
        let y_ticks = (0..)
            .map(|i| f64::from(i) * y_step)
            .take_while(|v| *v <= y_top + y_step / 2.0)
            .map(|v| {
                let at = bottom - v / y_top * (bottom - top);
                Tick {
                    at,
                    label_at: at + 5.0,
                    label: decimals(v, 3),
                }
            })
            .collect();
        let step = x_step(span);
        let first = (self.start / step).ceil() * step;
        let x_ticks = (0..)
            .map(|i| first + f64::from(i) * step)
            .take_while(|t| *t <= self.end)
            .map(|t| Tick {
                at: x(t),
                label_at: bottom + 20.0,
                label: time_label(t, span),
            })
            .collect();
        let lines: Vec<DrawnLine> = self
            .lines
            .iter()
            .take(MAX_LINES)
            .enumerate()
            .map(|(i, line)| {
                let points: Vec<(f64, f64)> = line
                    .points
                    .iter()
                    .copied()
                    .filter(|(t, v)| inside(*t) && v.is_finite())
                    .collect();
                let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
                let mut last: Option<f64> = None;
                for (t, v) in &points {
                    let joined = last.is_some_and(|l| line.stepped || t - l <= self.period * 1.5);
                    match runs.last_mut() {
                        Some(run) if joined => run.push((x(*t), y(*v))),
                        _ => runs.push(vec![(x(*t), y(*v))]),
                    }
                    last = Some(*t);
                }
                let (singles, runs): (Vec<_>, Vec<_>) =
                    runs.into_iter().partition(|r| r.len() == 1);
                DrawnLine {
                    label: line.label.clone(),
                    class: format!("line-{i}"),
                    runs: runs
                        .iter()
                        .map(|run| {
                            run.iter()
                                .map(|(a, b)| format!("{a:.1},{b:.1}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect(),
                    dots: singles.into_iter().flatten().collect(),
                    current: points
                        .last()
                        .map(|(_, v)| self.unit.show(*v))
                        .unwrap_or_default(),
                }
            })
            .collect();
        // A deployment in the period under way (after the last whole one)
        // is drawn at the right edge: it is what a person looks for.
        let marks = self
            .marks
            .iter()
            .filter(|t| **t >= self.start && **t <= self.end + self.period)
            .map(|t| Mark {
                at: x(*t),
                when: readable_time(*t),
            })
            .collect();
        let empty = lines.iter().all(|l| l.current.is_empty());
        Chart {
            y_ticks,
            x_ticks,
            lines,
            marks,
            area: (left, top, right, bottom),
            labels_x: left - 8.0,
            middle: ((left + right) / 2.0, (top + bottom) / 2.0),
            unit: self.unit.symbol(),
            rows: self.rows(),
            empty,
        }
    }

    /// Every time any line has a point, oldest first, with each line's
    /// value then.
    fn rows(&self) -> Vec<(String, Vec<String>)> {
        let lines = &self.lines[..self.lines.len().min(MAX_LINES)];
        let mut times: Vec<f64> = lines
            .iter()
            .flat_map(|l| l.points.iter())
            .filter(|(t, v)| *t >= self.start && *t <= self.end && v.is_finite())
            .map(|(t, _)| *t)
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times
            .into_iter()
            .map(|t| {
                let values = lines
                    .iter()
                    .map(|l| {
                        l.points
                            .iter()
                            .rev()
                            .find(|(at, v)| *at == t && v.is_finite())
                            .map(|(_, v)| self.unit.show(*v))
                            .unwrap_or_default()
                    })
                    .collect();
                (readable_time(t), values)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: f64 = 1_800_000_000.0;

    fn data(points: Vec<(f64, f64)>) -> ChartData {
        ChartData {
            unit: Unit::Percent,
            lines: vec![Line {
                label: "Average".into(),
                points,
                stepped: false,
            }],
            start: START,
            end: START + 3600.0,
            period: 60.0,
            marks: Vec::new(),
        }
    }

    #[test]
    fn an_empty_series_says_so_and_still_has_axes() {
        let chart = data(Vec::new()).draw();
        assert!(chart.empty);
        assert!(chart.rows.is_empty());
        assert_eq!(chart.lines[0].current, "");
        assert!(chart.lines[0].runs.is_empty() && chart.lines[0].dots.is_empty());
        assert_eq!(chart.y_ticks.first().map(|t| t.label.as_str()), Some("0"));
        assert!(chart.x_ticks.len() >= 4);
    }

    #[test]
    fn one_point_is_a_dot_with_its_value() {
        let chart = data(vec![(START + 600.0, 42.5)]).draw();
        assert!(!chart.empty);
        assert!(chart.lines[0].runs.is_empty());
        assert_eq!(chart.lines[0].dots.len(), 1);
        assert_eq!(chart.lines[0].current, "42.5 %");
        assert_eq!(chart.rows.len(), 1);
        assert_eq!(chart.rows[0].1, vec!["42.5 %".to_string()]);
    }

    #[test]
    fn a_gap_breaks_the_line() {
        let points = vec![
            (START + 60.0, 10.0),
            (START + 120.0, 20.0),
            (START + 180.0, 30.0),
            // ten minutes without data
            (START + 780.0, 40.0),
            (START + 840.0, 50.0),
        ];
        let chart = data(points).draw();
        assert_eq!(chart.lines[0].runs.len(), 2);
        assert_eq!(chart.lines[0].runs[0].split(' ').count(), 3);
        assert_eq!(chart.lines[0].current, "50 %");
        assert_eq!(chart.rows.len(), 5);
    }

    #[test]
    fn a_stepped_count_is_never_broken() {
        let mut data = data(vec![
            (START, 1.0),
            (START + 1800.0, 1.0),
            (START + 1800.0, 3.0),
        ]);
        data.lines[0].stepped = true;
        data.unit = Unit::Count;
        let chart = data.draw();
        assert_eq!(chart.lines[0].runs.len(), 1);
        assert_eq!(chart.lines[0].current, "3");
    }

    #[test]
    fn the_axis_is_round_and_above_the_largest_value() {
        assert_eq!(y_axis(87.0), (100.0, 25.0));
        assert_eq!(y_axis(3.0), (3.0, 1.0));
        assert_eq!(y_axis(3.2), (4.0, 1.0));
        assert_eq!(y_axis(0.0), (1.0, 0.25));
        assert_eq!(y_axis(1234.0), (1500.0, 500.0));
        let chart = data(vec![(START + 60.0, 87.0)]).draw();
        let labels: Vec<_> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "25", "50", "75", "100"]);
        // The largest value sits inside the plotting area.
        let (_, top, _, bottom) = chart.area;
        let (_, dot_y) = chart.lines[0].dots[0];
        assert!(dot_y >= top && dot_y <= bottom);
    }

    #[test]
    fn times_label_the_axis_by_the_clock_or_by_the_day() {
        let hour = data(Vec::new()).draw();
        assert!(
            hour.x_ticks
                .iter()
                .all(|t| t.label.len() == 5 && t.label.contains(':'))
        );
        let mut week = data(Vec::new());
        week.end = START + 7.0 * 86_400.0;
        let week = week.draw();
        assert!(
            week.x_ticks
                .iter()
                .all(|t| t.label.len() == 5 && t.label.contains('-'))
        );
        assert!(week.x_ticks.len() <= 8);
    }

    #[test]
    fn marks_outside_the_window_are_left_out() {
        let mut d = data(Vec::new());
        d.marks = vec![START - 10.0, START + 1800.0, START + 3630.0, START + 3700.0];
        let chart = d.draw();
        assert_eq!(
            chart.marks.len(),
            2,
            "the last whole period's and the one under way"
        );
        let (_, _, right, _) = chart.area;
        assert_eq!(chart.marks[1].at, right);
        let (left, _, right, _) = chart.area;
        assert!((chart.marks[0].at - (left + right) / 2.0).abs() < 0.01);
    }

    #[test]
    fn milliseconds_are_shown_from_seconds() {
        assert_eq!(Unit::Milliseconds.show(0.1234), "123.4 ms");
        assert_eq!(Unit::Count.show(3.0), "3");
        assert_eq!(Unit::Count.show(2.5), "2.5");
        assert_eq!(Unit::Percent.show(12.04), "12 %");
    }

    #[test]
    fn values_outside_the_window_or_not_numbers_are_not_drawn() {
        let chart = data(vec![
            (START - 60.0, 99.0),
            (START + 60.0, f64::NAN),
            (START + 120.0, 5.0),
        ])
        .draw();
        assert_eq!(chart.lines[0].dots.len(), 1);
        assert_eq!(chart.rows.len(), 1);
        assert_eq!(chart.y_ticks.last().map(|t| t.label.as_str()), Some("6"));
    }
}
