//! The bar chart of the ratios noyau/Linux, one bar per row on a log scale
//! with the line of equal speed at 1.0, drawn once with plotters' SVG
//! backend and once with its bitmap backend (written as PNG by png.rs).

use std::path::Path;
use std::sync::Once;

use anyhow::{anyhow, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::png;

/// The font the labels are drawn in (Debian's fonts-dejavu-core).
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

const WIDTH: u32 = 900;
const ROW_HEIGHT: u32 = 30;
const FASTER: RGBColor = RGBColor(0x2e, 0x8b, 0x57);
const SLOWER: RGBColor = RGBColor(0xc0, 0x39, 0x2b);

/// plotters' text needs a font registered once by name (its ab_glyph feature).
fn register_font() -> Result<()> {
    static REGISTER: Once = Once::new();
    let bytes = std::fs::read(FONT).with_context(|| format!("reading the font {FONT}"))?;
    let mut result = Ok(());
    REGISTER.call_once(|| {
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        result = plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| anyhow!("{FONT} is not a font plotters can read"));
    });
    result
}

fn height(rows: usize) -> u32 {
    100 + ROW_HEIGHT * rows as u32
}

/// Draws the bars of `ratios` (name, noyau time / Linux time) on `root`.
fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ratios: &[(String, f64)]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let n = ratios.len();
    let low = ratios.iter().map(|r| r.1).fold(1.0, f64::min) / 2.0;
    let high = ratios.iter().map(|r| r.1).fold(1.0, f64::max) * 2.0;
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(
            "noyau time / Linux time, same QEMU (below 1: noyau is faster)",
            ("sans-serif", 20),
        )
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(260)
        .build_cartesian_2d((low..high).log_scale(), (0..n).into_segmented())?;
    // The first row at the top: bar i is drawn in segment n - 1 - i.
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(at) if *at < n => ratios[n - 1 - at].0.clone(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .y_labels(n)
        .y_label_formatter(&label)
        .x_desc("ratio (log scale)")
        .label_style(("sans-serif", 14))
        .disable_y_mesh()
        .draw()?;
    chart.draw_series(ratios.iter().enumerate().map(|(i, (_, ratio))| {
        let color = if *ratio <= 1.0 { FASTER } else { SLOWER };
        let at = n - 1 - i;
        let mut bar = Rectangle::new(
            [
                (low, SegmentValue::Exact(at)),
                (*ratio, SegmentValue::Exact(at + 1)),
            ],
            color.filled(),
        );
        bar.set_margin(4, 4, 0, 0);
        bar
    }))?;
    let even = [(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))];
    chart.draw_series(std::iter::once(PathElement::new(
        even,
        BLACK.stroke_width(2),
    )))?;
    root.present()?;
    Ok(())
}

/// Writes the chart of `ratios` as `svg` and as `png`.
pub fn write(ratios: &[(String, f64)], svg: &Path, png_path: &Path) -> Result<()> {
    register_font()?;
    let size = (WIDTH, height(ratios.len()));
    {
        let root = SVGBackend::new(svg, size).into_drawing_area();
        draw(&root, ratios).with_context(|| format!("drawing {}", svg.display()))?;
    }
    let mut rgb = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root, ratios).context("drawing the bitmap chart")?;
    }
    std::fs::write(png_path, png::encode(size.0, size.1, &rgb))
        .with_context(|| format!("writing {}", png_path.display()))
}
