//! 图表工具栏、嵌入、主题、配色和控件抽屉的简体中文消息。

/// (id, text) pairs.
pub const MESSAGES: &[(&str, &str)] = &[
    ("fig.tools", "图表工具"),
    ("fig.share", "分享"),
    ("fig.embed", "嵌入"),
    ("fig.png", "PNG"),
    ("fig.png2", "PNG 2×"),
    ("fig.svg", "SVG"),
    ("fig.csv", "CSV"),
    ("fig.json", "JSON"),
    ("fig.copied", "已复制指向此图的链接。"),
    ("fig.no_svg", "此图无法导出 SVG（单元格太多或尚未绘制）：请使用 PNG。"),
    (
        "fig.embed_hint",
        "粘贴到网页中：单独显示此图及其当前设置，并自动适应高度（调整大小的脚本见 README）。",
    ),
    ("ui.fig", "图"),
    ("ui.controls", "控件"),
    ("ui.theme", "配色主题"),
    ("ui.theme_toggle", "浅色 / 深色"),
    ("ui.cmap", "配色"),
    ("theme.auto", "跟随系统"),
    ("theme.light", "浅色"),
    ("theme.dark", "深色"),
    ("cmap.viridis", "Viridis"),
    ("cmap.cividis", "Cividis（色盲友好）"),
    ("cmap.magma", "Magma"),
    ("ui.drawer_open", "☰ 控件"),
    ("ui.drawer_close", "✕ 关闭控件"),
    ("fig.no_png", "尚未绘制：请先运行或调整此图。"),
];
