//! Charts drawn on the server as SVG: an image with a title, for those who would rather look
//! than read. The page shows the same figures in a table beside each chart, which screen readers
//! read and people copy; the picture itself says only its title to assistive technologies.

use leptos::prelude::*;

/// One bar: its label under the axis, its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
}

const BAR_WIDTH: i64 = 40;
const HEIGHT: i64 = 160;
const AXIS: i64 = 40;

/// A bar chart. `id` names its title, which labels the image.
#[component]
pub fn BarChart(
    #[prop(into)] id: String,
    #[prop(into)] title: String,
    bars: Vec<Bar>,
) -> impl IntoView {
    let highest = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let width = BAR_WIDTH * bars.len().max(1) as i64;
    let title_id = format!("{id}-titre");
    let labelled_by = title_id.clone();
    let drawn = bars
        .into_iter()
        .enumerate()
        .map(|(index, bar)| {
            let height = bar.value * (HEIGHT - 20) / highest;
            let x = index as i64 * BAR_WIDTH;
            view! {
                <g>
                    <rect
                        x=x + 6
                        y=HEIGHT - height
                        width=BAR_WIDTH - 12
                        height=height
                        class="sesame-chart__bar"
                    />
                    <text x=x + BAR_WIDTH / 2 y=HEIGHT - height - 4 text-anchor="middle" class="sesame-chart__value">
                        {bar.value.to_string()}
                    </text>
                    <text
                        x=x + BAR_WIDTH / 2
                        y=HEIGHT + 16
                        text-anchor="middle"
                        class="sesame-chart__label"
                    >
                        {bar.label}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="sesame-chart">
            <svg
                role="img"
                aria-labelledby=labelled_by
                viewBox=format!("0 0 {width} {}", HEIGHT + AXIS)
                preserveAspectRatio="xMinYMin meet"
            >
                <title id=title_id>{title.clone()}</title>
                <line x1="0" y1=HEIGHT x2=width y2=HEIGHT class="sesame-chart__axis" />
                {drawn}
            </svg>
            <figcaption class="fr-text--sm">{title}" (les chiffres sont dans le tableau qui suit)"</figcaption>
        </figure>
    }
}
