import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { renderText } from './text.ts';
import type { Report } from './types.ts';

/** Output formats of `digest report`. */
export const REPORT_FORMATS = ['text', 'md', 'json', 'html'] as const;

/** An output format of `digest report`. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The report in one format: `text` (terminal), `md`, `json` (the Report object) or `html`. */
export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return renderText(report);
    case 'md':
      return renderMarkdown(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html':
      return renderHtml(report);
  }
}
