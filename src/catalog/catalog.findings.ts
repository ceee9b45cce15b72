/**
 * What checking a catalog found. Start-up and `npm run catalog:check` produce the same findings
 * and sort them with the same function, so they agree: an error stops start-up and fails the
 * check; a warning is logged (or printed) and the bot runs.
 */
export type FindingLevel = 'error' | 'warning';

export interface CatalogFinding {
  level: FindingLevel;
  message: string;
}

export const catalogError = (message: string): CatalogFinding => ({ level: 'error', message });
export const catalogWarning = (message: string): CatalogFinding => ({ level: 'warning', message });

export function sortFindings(findings: CatalogFinding[]): { errors: string[]; warnings: string[] } {
  return {
    errors: findings.filter((f) => f.level === 'error').map((f) => f.message),
    warnings: findings.filter((f) => f.level === 'warning').map((f) => f.message),
  };
}
