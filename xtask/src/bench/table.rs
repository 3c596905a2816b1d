//! The comparison: for each benchmark (and the two boot times) the median
//! over the rounds on each kernel, the ratio noyau/Linux, and the spread,
//! printed as a text table and written as markdown.

use std::fmt::Write;

/// One kernel's figures for one row, in nanoseconds: the median of the
/// rounds' medians, and the fastest and slowest sample of any round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl Measured {
    /// From each round's (median, fastest, slowest); None without rounds.
    pub fn of(rounds: &[(f64, f64, f64)]) -> Option<Measured> {
        let mut medians: Vec<f64> = rounds.iter().map(|r| r.0).collect();
        medians.sort_by(f64::total_cmp);
        let n = medians.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => medians[n / 2],
            _ => (medians[n / 2 - 1] + medians[n / 2]) / 2.0,
        };
        let low = rounds.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        let high = rounds.iter().map(|r| r.2).fold(0.0, f64::max);
        Some(Measured { median, low, high })
    }

    /// (slowest - fastest) / median, as a fraction.
    pub fn spread(&self) -> f64 {
        (self.high - self.low) / self.median
    }
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub name: String,
    pub noyau: Measured,
    pub linux: Measured,
}

impl Row {
    /// noyau's time over Linux's: below 1.0 noyau is faster.
    pub fn ratio(&self) -> f64 {
        self.noyau.median / self.linux.median
    }
}

/// A time in nanoseconds, in the unit that keeps it short.
pub fn human(ns: f64) -> String {
    match ns {
        _ if ns < 1e3 => format!("{ns:.0} ns"),
        _ if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        _ if ns < 1e9 => format!("{:.2} ms", ns / 1e6),
        _ => format!("{:.2} s", ns / 1e9),
    }
}

fn cells(row: &Row) -> [String; 5] {
    [
        row.name.clone(),
        human(row.noyau.median),
        human(row.linux.median),
        format!("{:.2}", row.ratio()),
        format!(
            "{:.0}% / {:.0}%",
            row.noyau.spread() * 100.0,
            row.linux.spread() * 100.0
        ),
    ]
}

const HEADER: [&str; 5] = ["benchmark", "noyau", "Linux", "noyau/Linux", "spread"];

/// The table as aligned text, for the terminal.
pub fn text(rows: &[Row]) -> String {
    let all: Vec<[String; 5]> = std::iter::once(HEADER.map(String::from))
        .chain(rows.iter().map(cells))
        .collect();
    let width = |i: usize| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..5).map(width).collect();
    let mut out = String::new();
    for row in &all {
        let _ = write!(out, "{:<w$}", row[0], w = widths[0]);
        for i in 1..5 {
            let _ = write!(out, "  {:>w$}", row[i], w = widths[i]);
        }
        out.push('\n');
    }
    out
}

/// The table in markdown, times per operation (boot rows: per boot).
pub fn markdown(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n|---|---:|---:|---:|---:|\n", HEADER.join(" | "));
    for row in rows {
        out += &format!("| {} |\n", cells(row).join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_of_the_rounds_and_the_spread_of_all_samples() {
        let m = Measured::of(&[(10.0, 9.0, 12.0), (30.0, 8.0, 40.0), (20.0, 19.0, 21.0)]).unwrap();
        assert_eq!(
            m,
            Measured {
                median: 20.0,
                low: 8.0,
                high: 40.0
            }
        );
        assert_eq!(m.spread(), 1.6);
        assert_eq!(
            Measured::of(&[(1.0, 1.0, 1.0), (3.0, 3.0, 3.0)])
                .unwrap()
                .median,
            2.0
        );
        assert_eq!(Measured::of(&[]), None);
    }

    #[test]
    fn times_keep_a_short_unit() {
        assert_eq!(human(950.0), "950 ns");
        assert_eq!(human(1234.0), "1.23 µs");
        assert_eq!(human(2.5e6), "2.50 ms");
        assert_eq!(human(4.2e9), "4.20 s");
    }

    #[test]
    fn a_row_shows_both_kernels_their_ratio_and_spreads() {
        let noyau = Measured {
            median: 200.0,
            low: 180.0,
            high: 220.0,
        };
        let linux = Measured {
            median: 100.0,
            low: 95.0,
            high: 105.0,
        };
        let row = Row {
            name: "null_syscall".into(),
            noyau,
            linux,
        };
        let md = markdown(std::slice::from_ref(&row));
        assert!(
            md.ends_with("| null_syscall | 200 ns | 100 ns | 2.00 | 20% / 10% |\n"),
            "{md}"
        );
        let text = text(&[row]);
        assert!(text.starts_with("benchmark     "), "{text}");
        assert_eq!(text.lines().count(), 2);
    }
}
