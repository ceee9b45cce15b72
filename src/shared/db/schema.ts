export * from '../../modules/requests/requests.table.js';
export * from '../../modules/grants/grants.table.js';
export * from '../../modules/audit/audit.table.js';
export * from '../../modules/notifications/notifications.table.js';
export * from '../../modules/nudges/nudges.table.js';
export * from '../../modules/acknowledgements/acknowledgements.table.js';
export * from '../../modules/reviews/reviews.table.js';
export * from '../../modules/requests/drafts.table.js';
