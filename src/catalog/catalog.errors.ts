import { AppError } from '../shared/errors.js';
import { quoteTyped } from '../shared/text.js';

/** Refusals about the catalog itself, met by every module that takes a dataset name as typed. */
export const catalogErrors = {
  datasetNotFound: (typed: string, suggestions: string[]) =>
    new AppError(
      'requests.dataset_not_found',
      `There is no dataset called \`${quoteTyped(typed, 64)}\`.` +
        (suggestions.length ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : '') +
        ' Type `/access datasets` to see them all.',
      { typed: quoteTyped(typed, 64) },
    ),
} as const;
