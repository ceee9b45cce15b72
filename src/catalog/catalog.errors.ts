import { domainError } from '../shared/errors.js';
import { quoteTyped } from '../shared/text.js';

/** Refusals about the catalog itself, met by every module that takes a dataset name as typed. */
export const catalogErrors = {
  datasetNotFound: (typed: string, suggestions: string[]) => {
    const shown = quoteTyped(typed, 64);
    return domainError(
      'requests.dataset_not_found',
      { typed: shown, suggestions },
      `There is no dataset called "${shown}".` + (suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : ''),
    );
  },
} as const;
