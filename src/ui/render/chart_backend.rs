//! The drawing backend of every chart: plotters' [`CanvasBackend`] (or, for an SVG export,
//! `plotters-svg`'s [`SVGBackend`]) with text measured by the canvas.
//!
//! plotters sizes text (for label layout, titles, legends) by appending a `<span>` to the page with a
//! `style` attribute and reading its box; the page's CSP (`style-src 'self'`, no `'unsafe-inline'`)
//! blocks that attribute, so the measurement would be wrong and each one logs a violation. This
//! backend answers [`DrawingBackend::estimate_text_size`] with the 2D context's `measureText` in the
//! font the canvas draws with, and delegates everything else unchanged. plotters' series legends
//! measure through the font instead of the backend, so charts draw theirs with
//! [`super::chart_legend`]. The same draw function paints the page's canvas, a 2× copy for a PNG
//! export ([`ChartBackend::scaled`]) and an SVG ([`ChartBackend::svg`]).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use plotters_svg::SVGBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A chart's drawing area in canvas pixels.
pub type ChartArea<'a> = DrawingArea<ChartBackend<'a>, Shift>;

/// Where a chart is drawn.
enum Target<'a> {
    Canvas(CanvasBackend),
    Svg(SVGBackend<'a>),
}

/// [`CanvasBackend`] or [`SVGBackend`] whose text measurement is the canvas's own (`measureText`),
/// never the DOM's.
pub struct ChartBackend<'a> {
    target: Target<'a>,
    context: CanvasRenderingContext2d,
    /// The size plotters lays the chart out in (CSS pixels of the page's canvas).
    size: (u32, u32),
}

/// A drawing error of either target, as text.
#[derive(Debug)]
pub struct ChartError(String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ChartError {}

/// A target's error as a [`ChartError`].
fn conv<E: std::error::Error + Send + Sync>(r: Result<(), DrawingErrorKind<E>>) -> Fallible {
    r.map_err(|e| match e {
        DrawingErrorKind::DrawingError(e) => DrawingErrorKind::DrawingError(ChartError(e.to_string())),
        DrawingErrorKind::FontError(f) => DrawingErrorKind::FontError(f),
    })
}

/// Calls the same method on whichever target the backend has.
macro_rules! both {
    ($self:ident . $m:ident ( $($a:expr),* )) => {
        match &mut $self.target {
            Target::Canvas(c) => conv(c.$m($($a),*)),
            Target::Svg(s) => conv(s.$m($($a),*)),
        }
    };
}

/// The CSS font shorthand the canvas backend draws text with: `"{style} {size}px {family}"`.
pub fn css_font(style: &impl BackendTextStyle) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()??
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()
}

impl ChartBackend<'static> {
    /// The backend of `canvas`, or `None` when it has no 2D context.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = context_2d(&canvas)?;
        let size = (canvas.width(), canvas.height());
        Some(Self {
            target: Target::Canvas(CanvasBackend::with_canvas_object(canvas)?),
            context,
            size,
        })
    }

    /// The whole canvas as a plotters drawing area.
    pub fn area(canvas: HtmlCanvasElement) -> Option<ChartArea<'static>> {
        Self::new(canvas).map(IntoDrawingArea::into_drawing_area)
    }

    /// A chart laid out at `size` on `canvas`, whose backing store is `scale` times larger (a crisp
    /// 2× PNG): the canvas is resized and its context scaled.
    pub fn scaled(canvas: HtmlCanvasElement, size: (u32, u32), scale: f64) -> Option<ChartArea<'static>> {
        canvas.set_width((size.0 as f64 * scale).round() as u32);
        canvas.set_height((size.1 as f64 * scale).round() as u32);
        let context = context_2d(&canvas)?;
        let _ = context.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0);
        let target = Target::Canvas(CanvasBackend::with_canvas_object(canvas)?);
        Some(Self { target, context, size }.into_drawing_area())
    }
}

impl<'a> ChartBackend<'a> {
    /// An SVG of `size` written into `out`; `measure` is any canvas (its context measures text).
    pub fn svg(out: &'a mut String, size: (u32, u32), measure: &HtmlCanvasElement) -> Option<ChartArea<'a>> {
        let context = context_2d(measure)?;
        let target = Target::Svg(SVGBackend::with_string(out, size));
        Some(Self { target, context, size }.into_drawing_area())
    }
}

type Fallible = Result<(), DrawingErrorKind<ChartError>>;

impl DrawingBackend for ChartBackend<'_> {
    type ErrorType = ChartError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Fallible {
        both!(self.ensure_prepared())
    }

    fn present(&mut self) -> Fallible {
        both!(self.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Fallible {
        both!(self.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Fallible {
        both!(self.draw_line(from, to, style))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Fallible {
        both!(self.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, path: I, style: &S) -> Fallible {
        both!(self.draw_path(path, style))
    }

    fn draw_circle<S: BackendStyle>(&mut self, center: BackendCoord, radius: u32, style: &S, fill: bool) -> Fallible {
        both!(self.draw_circle(center, radius, style, fill))
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(&mut self, vert: I, style: &S) -> Fallible {
        both!(self.fill_polygon(vert, style))
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Fallible {
        both!(self.draw_text(text, style, pos))
    }

    /// Width: the advance width `measureText` reports; height: the font's ascent plus descent, the
    /// height of a line box at `line-height: normal`, which is what plotters' `<span>` measured.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // Every draw_text sets the font again, so changing it here disturbs no later drawing.
        self.context.set_font(&css_font(style));
        let m = self
            .context
            .measure_text(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(ChartError(format!("measureText failed: {e:?}")))))?;
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        Ok((m.width().round().max(0.0) as u32, height.round().max(0.0) as u32))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Fallible {
        both!(self.blit_bitmap(pos, (w, h), src))
    }
}
