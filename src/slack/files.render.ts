import type { FileContent } from '../modules/notifications/notifications.ports.js';
import { renderStandingChart } from '../shared/chart/standing.chart.js';

/** A file ready to upload: its bytes, name, title, the line introducing it and a description for screen readers. */
export interface RenderedFile {
  bytes: Buffer;
  filename: string;
  title: string;
  comment: string;
  altText: string;
}

/** Each file look as bytes (a chart as a PNG). */
export async function renderFile(content: FileContent): Promise<RenderedFile> {
  switch (content.look) {
    case 'standing_chart': {
      const { weeks, comment } = content.data;
      const last = weeks.at(-1);
      return {
        bytes: await renderStandingChart(weeks),
        filename: `standing-access-${last ? last.until.toISOString().slice(0, 10) : 'none'}.png`,
        title: 'Standing grant-days per tier',
        comment,
        altText: `Stacked bar chart of standing grant-days per sensitivity tier over ${weeks.length} weeks`,
      };
    }
  }
}
