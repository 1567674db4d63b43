//! The drawing backend of every chart: plotters' [`CanvasBackend`] with text measured by the canvas.
//!
//! plotters sizes text (for label layout, titles, legends) by appending a `<span>` to the page with a
//! `style` attribute and reading its box; the page's CSP (`style-src 'self'`, no `'unsafe-inline'`)
//! blocks that attribute, so the measurement would be wrong and each one logs a violation. This
//! backend answers [`DrawingBackend::estimate_text_size`] with the 2D context's `measureText` in the
//! font the canvas draws with, and delegates everything else unchanged. plotters' series legends
//! measure through the font instead of the backend, so charts draw theirs with
//! [`super::chart_legend`].

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// A chart's drawing area in canvas pixels.
pub type ChartArea = DrawingArea<ChartBackend, Shift>;

/// [`CanvasBackend`] whose text measurement is the canvas's own (`measureText`), never the DOM's.
pub struct ChartBackend {
    canvas: CanvasBackend,
    context: CanvasRenderingContext2d,
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

/// A failed `measureText` (it throws only for a detached or lost context).
#[derive(Debug)]
struct MeasureError(String);

impl std::fmt::Display for MeasureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "measureText failed: {}", self.0)
    }
}

impl std::error::Error for MeasureError {}

impl ChartBackend {
    /// The backend of `canvas`, or `None` when it has no 2D context.
    pub fn new(canvas: HtmlCanvasElement) -> Option<Self> {
        let context = canvas
            .get_context("2d")
            .ok()??
            .dyn_into::<CanvasRenderingContext2d>()
            .ok()?;
        Some(Self {
            canvas: CanvasBackend::with_canvas_object(canvas)?,
            context,
        })
    }

    /// The whole canvas as a plotters drawing area.
    pub fn area(canvas: HtmlCanvasElement) -> Option<ChartArea> {
        Self::new(canvas).map(IntoDrawingArea::into_drawing_area)
    }
}

type Fallible<E> = Result<(), DrawingErrorKind<E>>;

impl DrawingBackend for ChartBackend {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.canvas.get_size()
    }

    fn ensure_prepared(&mut self) -> Fallible<Self::ErrorType> {
        self.canvas.ensure_prepared()
    }

    fn present(&mut self) -> Fallible<Self::ErrorType> {
        self.canvas.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Fallible<Self::ErrorType> {
        self.canvas.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Fallible<Self::ErrorType> {
        self.canvas.draw_text(text, style, pos)
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
            .map_err(|e| DrawingErrorKind::FontError(Box::new(MeasureError(format!("{e:?}")))))?;
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        Ok((m.width().round().max(0.0) as u32, height.round().max(0.0) as u32))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, (w, h): (u32, u32), src: &[u8]) -> Fallible<Self::ErrorType> {
        self.canvas.blit_bitmap(pos, (w, h), src)
    }
}
