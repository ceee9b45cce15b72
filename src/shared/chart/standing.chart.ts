/**
 * The standing-access chart: grant-days per sensitivity tier, week by week, as a PNG. ECharts
 * draws it as SVG on the server (no browser, no canvas), resvg turns the SVG into a PNG. Both are
 * loaded on first use, so start-up does not pay for them.
 */
import { SENSITIVITIES, type Sensitivity } from '../../catalog/policy.js';

/** One week's standing grant-days per tier (what the hygiene module's weeklyStandingByTier returns). */
export interface StandingWeek {
  since: Date;
  until: Date;
  byTier: Record<Sensitivity, number>;
}

const WIDTH = 900;
const HEIGHT = 420;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
// restricted darkest: the eye goes to what matters most
const COLORS: Record<Sensitivity, string> = { public: '#9ecae1', internal: '#6baed6', confidential: '#f16913', restricted: '#a50f15' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const label = (d: Date) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** The chart as an SVG string (stacked bars, one per week, restricted on top). */
export async function renderStandingSvg(weeks: readonly StandingWeek[], title = 'Standing grant-days per tier'): Promise<string> {
  const [core, charts, components, renderers] = await Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers')]);
  core.use([charts.BarChart, components.GridComponent, components.LegendComponent, components.TitleComponent, renderers.SVGRenderer]);
  const chart = core.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT },
      title: { text: title, subtext: weeks.length ? `${weeks.length} weeks to ${label(new Date(weeks.at(-1)!.until.getTime() - 1))}` : 'no data', left: 16, top: 8 },
      // under the title's line, so a long title never runs into it
      legend: { top: 52, right: 16, itemGap: 18, data: [...SENSITIVITIES].reverse() },
      grid: { left: 64, right: 24, top: 88, bottom: 48 },
      xAxis: { type: 'category', data: weeks.map((w) => label(w.since)), name: 'week starting', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'value', name: 'grant-days', nameLocation: 'middle', nameGap: 44, minInterval: 1 },
      series: SENSITIVITIES.map((tier) => ({ name: tier, type: 'bar', stack: 'standing', color: COLORS[tier], data: weeks.map((w) => round1(w.byTier[tier])) })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG bytes, for Slack or a file (docs/). Text needs a system font (DejaVu, Liberation or Arial). */
export async function renderStandingChart(weeks: readonly StandingWeek[], title?: string): Promise<Buffer> {
  const svg = await renderStandingSvg(weeks, title);
  const { Resvg } = await import('@resvg/resvg-js');
  return Buffer.from(new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng());
}
